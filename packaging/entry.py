"""Entry point of the PyInstaller binary: the same `wallet` command the wheel installs."""

from wallet.cli import main

main()
