#!/usr/bin/env bash
# Adds Learner Wallet to the desktop's application menu for this user: the .desktop entry
# (it opens `wallet` in the user's terminal, Terminal=true) and the icon, under
# $XDG_DATA_HOME (default ~/.local/share). Needs `wallet` on PATH, e.g. after `make install`.
# Usage: packaging/install-desktop.sh [--uninstall]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
icons=$data/icons/hicolor/scalable/apps

if [ "${1:-}" = --uninstall ]; then
  rm -f "$apps/learner-wallet.desktop" "$icons/learner-wallet.svg"
  echo "removed the Learner Wallet menu entry and icon from $data"
  exit 0
fi
install -D -m 644 "$here/learner-wallet.desktop" "$apps/learner-wallet.desktop"
install -D -m 644 "$here/learner-wallet.svg" "$icons/learner-wallet.svg"
# Desktop menus watch these folders and pick the entry up by themselves (no cache to update:
# the entry declares no file types, and a per-user icon cache would go stale).
echo "added Learner Wallet to the application menu ($apps/learner-wallet.desktop)"
command -v wallet >/dev/null ||
  echo "note: 'wallet' is not on PATH yet, so the menu entry cannot start it (see README: Install)"
