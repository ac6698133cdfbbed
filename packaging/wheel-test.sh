#!/usr/bin/env bash
# Builds the sdist and the wheel, checks their contents, installs each into its own clean
# venv (from the artifact, never the source tree) and runs the smoke test against the
# installed `wallet`. Usage: packaging/wheel-test.sh   (PY=python3.12 to use another Python)
source "$(dirname "$0")/common.sh"

install_into() { fresh_venv "$1" && pip_in "$1" "$2"; }

timed "build sdist + wheel" build_dists
"$PY" packaging/check_dist.py "$WHEEL" "$SDIST"
echo "artifacts: dist/$(basename "$WHEEL") ($(size_of "$WHEEL")), dist/$(basename "$SDIST") ($(size_of "$SDIST"))"

for artifact in "$WHEEL" "$SDIST"; do
  case $artifact in *.whl) kind=wheel ;; *) kind=sdist ;; esac
  venv=$WORK/venv-$kind
  timed "clean venv + pip install $(basename "$artifact")" install_into "$venv" "$artifact"
  # The wallet must run from site-packages, not from a source tree on the path.
  where=$(cd /tmp && "$venv/bin/python" -c 'import wallet; print(wallet.__file__)')
  case $where in
    */site-packages/wallet/__init__.py) ;;
    *) echo "FAIL: $artifact installed wallet at $where" >&2; exit 1 ;;
  esac
  timed "smoke test ($kind install)" packaging/smoke-test.sh "$venv/bin/wallet"
done
echo "wheel test passed: sdist and wheel install and pass the smoke test"
