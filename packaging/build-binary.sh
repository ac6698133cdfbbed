#!/usr/bin/env bash
# Builds dist/wallet, a one-file Linux binary (PyInstaller), from the wheel: a build venv
# under build/packaging gets the wheel and PyInstaller, then runs packaging/wallet.spec.
# Usage: packaging/build-binary.sh [WHEEL]   (without WHEEL it builds one first)
source "$(dirname "$0")/common.sh"

if [ $# -ge 1 ]; then
  WHEEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
  timed "build sdist + wheel" build_dists
fi
venv=$WORK/venv-binary
timed "build venv (wheel + PyInstaller)" bash -c "
  source packaging/common.sh
  fresh_venv '$venv'
  pip_in '$venv' '$WHEEL' pyinstaller pyinstaller-hooks-contrib"
rm -f dist/wallet
timed "pyinstaller --onefile" "$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath "$WORK/pyinstaller" packaging/wallet.spec
"$venv/bin/python" packaging/check_binary.py dist/wallet
dist/wallet --version >/dev/null
echo "built dist/wallet ($(size_of dist/wallet), $(stat -c %s dist/wallet) bytes)"
