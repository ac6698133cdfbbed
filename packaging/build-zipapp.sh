#!/usr/bin/env bash
# Builds dist/wallet.pyz, a zipapp (shiv) holding the wallet and all its dependencies.
# Usage: packaging/build-zipapp.sh [WHEEL]   (without WHEEL it builds one first)
#
# cryptography, zxing-cpp, pyrage, msgspec and pillow are native: shiv bundles the wheels pip
# picks for *this* machine, so the .pyz runs on the same OS, CPU and Python minor version
# (its first line names that Python, e.g. python3.11). It unpacks itself once into
# ~/.shiv (SHIV_ROOT moves it) and starts from there afterwards.
source "$(dirname "$0")/common.sh"

if [ $# -ge 1 ]; then
  WHEEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
  timed "build sdist + wheel" build_dists
fi
venv=$WORK/venv-shiv
if [ ! -x "$venv/bin/shiv" ]; then
  fresh_venv "$venv"
  pip_in "$venv" shiv
fi
pyver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
rm -f dist/wallet.pyz
# --reproducible: the same inputs give the same file; --compressed: about half the size.
timed "shiv" "$venv/bin/shiv" --reproducible --compressed -q \
  --python "/usr/bin/env python$pyver" -c wallet -o dist/wallet.pyz \
  "$WHEEL" --disable-pip-version-check 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }
dist/wallet.pyz --version >/dev/null
echo "built dist/wallet.pyz ($(size_of dist/wallet.pyz), $(stat -c %s dist/wallet.pyz) bytes; needs python$pyver)"
