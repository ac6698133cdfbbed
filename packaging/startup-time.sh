#!/usr/bin/env bash
# Start-up time of a built wallet to its unlock screen, under a pseudo-terminal:
#   packaging/startup-time.sh PATH-TO-WALLET [RUNS]     (default 5 runs; prints the median)
# Each run is a cold start of the process (a one-file binary unpacks itself every time).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH-TO-WALLET [RUNS]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d "${TMPDIR:-/tmp}/wallet-startup.XXXXXX")
trap 'rm -rf "$t"' EXIT
export HOME=$t WALLET_STATE_DIR=$t/state
# --weak-kdf: the unlock screen appears before any key derivation, so this does not change
# the figure; it only makes the set-up instant.
WALLET_PASSPHRASE=startup-time-passphrase "$1" --wallet "$t/w" init --weak-kdf >/dev/null
"${PYTHON:-python3}" "$here/pty_app.py" --runs "${2:-5}" -- "$1" --wallet "$t/w"
