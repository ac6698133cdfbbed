#!/usr/bin/env bash
# The full CLI round trip against one installed or built wallet:
#   packaging/smoke-test.sh PATH-TO-WALLET     (a venv's bin/wallet, dist/wallet, dist/wallet.pyz)
# Every step prints one line; the first failure prints its output and exits 1.
# Needs only bash and a python3 (standard library) for the pseudo-terminal harness; the
# wallet under test brings everything else. Nothing outside a temporary folder is touched.
#
# Speed: the learner's wallet is made with `init --weak-kdf`, the explicit cheap-Argon2id
# setting the test suite uses (8 MiB, 1 pass), so each unlock costs milliseconds; the demo
# wallet (step "demo") is made by `wallet demo` with the real defaults (256 MiB, 3 passes).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 PATH-TO-WALLET" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
WALLET=$1
case $WALLET in */*) WALLET=$(cd "$(dirname "$WALLET")" && pwd)/$(basename "$WALLET") ;; esac
PY=${PYTHON:-python3}
SAMPLES=$HERE/samples

T=$(mktemp -d "${TMPDIR:-/tmp}/wallet-smoke.XXXXXX")
trap 'rm -rf "$T"' EXIT
# Keep every per-user folder the wallet could use inside $T.
export HOME=$T/home XDG_DATA_HOME=$T/data XDG_STATE_HOME=$T/state XDG_CACHE_HOME=$T/cache
export WALLET_STATE_DIR=$T/wallet-state
unset WALLET_HOME WALLET_PASSPHRASE WALLET_BACKUP_PASSPHRASE
mkdir -p "$HOME"
cd "$T"

LEARNER=$T/learner
PASS="smoke test passphrase"
DEMO_PASS=demo-wallet-passphrase
AUD="Acme Hiring"
N=0
OUT=$T/out
ERR=$T/err

fail() {
  echo "FAIL: $*" >&2
  [ -s "$OUT" ] && sed 's/^/  | /' "$OUT" >&2
  [ -s "$ERR" ] && sed 's/^/  ! /' "$ERR" >&2
  exit 1
}
# ok NAME EXPECTED-EXIT CMD...: runs CMD, stdout in $OUT and stderr in $ERR; the exit code
# must match.
ok() {
  local name=$1 want=$2 got=0
  shift 2
  "$@" >"$OUT" 2>"$ERR" </dev/null || got=$?
  [ "$got" = "$want" ] || fail "$name: exit $got, expected $want"
}
say() { N=$((N + 1)); printf 'ok %2d  %s\n' "$N" "$*"; }
# field PY-EXPRESSION: evaluates it with d = the JSON document in $OUT.
field() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$OUT"; }
w() { "$WALLET" "$@"; }
lw() { WALLET_PASSPHRASE=$PASS "$WALLET" --wallet "$LEARNER" "$@"; }

echo "smoke test of $WALLET"

ok version 0 w --version
grep -q "version" "$OUT" || fail "version: $(cat "$OUT")"
say "version: $(tr -d '\n' <"$OUT")"

ok help 0 w --help
for cmd in init import verify present verify-presentation backup restore demo; do
  grep -q "^  $cmd " "$OUT" || fail "help does not list '$cmd'"
done
say "help lists the commands"

ok init 0 lw --json init --weak-kdf
[ "$(field "len(d['recovery_key']) > 20")" = True ] || fail "init printed no recovery key"
say "init: a new wallet with a recovery key (cheap KDF through --weak-kdf)"

ok import 0 lw --json import "$SAMPLES/ob3-eddsa-rdfc-2022.json" \
  "$SAMPLES/ob3-ecdsa-rdfc-2019.json" "$SAMPLES/vc-jose.jwt"
[ "$(field "d['summary']['imported']")" = 3 ] || fail "import: expected 3 imported"
say "import: 3 sample credentials (eddsa-rdfc-2022, ecdsa-rdfc-2019, vc+jwt ES256)"

ok list 0 lw --json list
OB3=$(field "[c['id'] for c in d['credentials'] if c['title'].startswith('Sample Certificate')][0]")
[ "$(field "sorted(c['verdict'] for c in d['credentials'])")" = \
  "['valid_untrusted_issuer', 'valid_untrusted_issuer', 'valid_untrusted_issuer']" ] ||
  fail "list: every sample should be genuine but not yet trusted"
say "list: 3 credentials, each valid_untrusted_issuer"

ok trust-import 0 lw trust import "$SAMPLES/trust.json"
ok verify 0 lw --json verify "$OB3"
[ "$(field "d['verdict']")" = valid ] || fail "verify: not valid after trusting the issuer"
say "verify: the Open Badges 3.0 sample is valid once its issuer is trusted"

ok verify-file 1 w --json verify --no-wallet "$SAMPLES/ob3-ecdsa-rdfc-2019.json"
[ "$(field "[c['status'] for c in d['checks'] if c['name'] == 'signature'][0]")" = passed ] ||
  fail "verify --no-wallet: signature did not pass"
sed 's/"Sample Badge: Forklift Orientation"/"Sample Badge: Forklift Expert"/' \
  "$SAMPLES/ob3-ecdsa-rdfc-2019.json" >"$T/tampered.json"
ok verify-tampered 1 w --json verify --no-wallet "$T/tampered.json"
[ "$(field "d['verdict']")" = invalid ] || fail "a tampered credential was not invalid"
say "verify a file: signature passes; the same file with one word changed is invalid"

ok demo 0 w --json demo
[ "$(field "sorted(c['verdict'] for c in d['credentials'])")" = \
  "['invalid', 'unverifiable', 'valid', 'valid', 'valid_untrusted_issuer']" ] ||
  fail "demo: unexpected verdicts"
DEMO=$(field "d['wallet']")
SD=$(field "[c['id'] for c in d['credentials'] if c['format'] == 'sd-jwt'][0]")
MICRO=$(field "[c['id'] for c in d['credentials'] if c['title'] == 'Data Analysis Fundamentals'][0]")
say "demo: the bundled samples imported into a demo wallet (real KDF), verdicts as expected"

dw() { WALLET_PASSPHRASE=$DEMO_PASS "$WALLET" --wallet "$DEMO" "$@"; }
ok challenge 0 lw challenge
NONCE=$(tr -d '\n' <"$OUT")
ok present 0 dw present "$SD" "$MICRO" --disclose "$SD:grade" --audience "$AUD" \
  --nonce "$NONCE" --expires 10m --out "$T/p.json" --qr "$T/p.png" --yes
QRS=$(find "$T" -maxdepth 1 -name 'p*.png' | sort -r | tr '\n' ' ')
[ -n "$QRS" ] || fail "present wrote no QR image"
say "present: SD-JWT (grade only) + OB 3.0 with QR code(s): $(echo $QRS | wc -w) PNG"

# The interviewer is the learner wallet made above: it trusts the demo college.
# shellcheck disable=SC2086  # QRS is a list of paths without spaces (inside $T)
ok verify-presentation 0 lw --json verify-presentation $QRS --audience "$AUD" --nonce "$NONCE"
[ "$(field "d['verdict']")" = valid ] || fail "verify-presentation: not valid"
# shellcheck disable=SC2086
ok verify-presentation-nonce 1 lw --json verify-presentation $QRS --audience "$AUD" \
  --nonce WRONG-NONCE
say "verify-presentation from the QR images (reverse order): valid; with another nonce: exit 1"

ok backup 0 env WALLET_BACKUP_PASSPHRASE="backup words" WALLET_PASSPHRASE="$PASS" \
  "$WALLET" --wallet "$LEARNER" backup "$T/wallet.age"
head -c 21 "$T/wallet.age" | grep -q "age-encryption.org/v1" || fail "backup is not an age file"
ok restore-wrong 3 env WALLET_BACKUP_PASSPHRASE="other words" WALLET_PASSPHRASE="$PASS" \
  "$WALLET" --wallet "$T/wrong" restore "$T/wallet.age"
ok restore 0 env WALLET_BACKUP_PASSPHRASE="backup words" WALLET_PASSPHRASE="$PASS" \
  "$WALLET" --wallet "$T/restored" restore "$T/wallet.age"
ok list-restored 0 env WALLET_PASSPHRASE="$PASS" "$WALLET" --wallet "$T/restored" --json list
[ "$(field "sorted(c['verdict'] for c in d['credentials'])")" = \
  "['valid', 'valid_untrusted_issuer', 'valid_untrusted_issuer']" ] ||
  fail "restored wallet does not hold the same credentials"
say "backup (age file) and restore: same 3 credentials; a wrong backup passphrase exits 3"

ok app 0 "$PY" "$HERE/pty_app.py" --passphrase "$PASS" --expect "Safe Workshop Practice" \
  -- "$WALLET" --wallet "$LEARNER"
say "app under a pseudo-terminal: $(tail -n 1 "$OUT" | sed 's/^run 1: //')"

echo "smoke test passed: $N steps against $WALLET"
