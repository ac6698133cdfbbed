#!/usr/bin/env bash
# `make install`: puts `wallet` on this user's PATH from this checkout, with pipx or uv (each
# gives the wallet its own isolated environment), then adds it to the desktop menu.
# Without either tool it changes nothing and prints exactly what to run.
# Usage: packaging/install.sh [--uninstall]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = --uninstall ]; then
  if command -v pipx >/dev/null && pipx list --short 2>/dev/null | grep -q '^learner-wallet '; then
    pipx uninstall learner-wallet
  elif command -v uv >/dev/null && uv tool list 2>/dev/null | grep -q '^learner-wallet '; then
    uv tool uninstall learner-wallet
  fi
  packaging/install-desktop.sh --uninstall
  echo "(your wallets and their data are kept: see README, Where data lives)"
  exit 0
fi

if command -v pipx >/dev/null; then
  echo "+ pipx install --force ."
  pipx install --force .
  fix="pipx ensurepath"
elif command -v uv >/dev/null; then
  # --reinstall: uv caches a local project's build by its version number.
  echo "+ uv tool install --force --reinstall ."
  uv tool install --force --reinstall .
  fix="uv tool update-shell"
else
  cat <<'MSG' >&2
make install needs pipx or uv, and neither is installed. Install one, then run 'make install'
again:
  Debian, Ubuntu:  sudo apt install pipx && pipx ensurepath
  Fedora:          sudo dnf install pipx && pipx ensurepath
  macOS:           brew install pipx && pipx ensurepath
  or uv:           curl -LsSf https://astral.sh/uv/install.sh | sh
Or with Python alone, from this folder:
  python3 -m venv ~/.local/lib/learner-wallet
  ~/.local/lib/learner-wallet/bin/pip install .
  mkdir -p ~/.local/bin && ln -sf ~/.local/lib/learner-wallet/bin/wallet ~/.local/bin/wallet
  packaging/install-desktop.sh
MSG
  exit 1
fi
packaging/install-desktop.sh
if command -v wallet >/dev/null; then
  echo "installed: $(command -v wallet) ($(wallet --version))"
else
  echo "installed, but its folder is not on PATH yet: run '$fix' and open a new terminal"
fi
