"""Where wallets live: ``--wallet PATH`` > ``WALLET_HOME`` > the per-OS user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "learner-wallet"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    """Machine-local state kept apart from the wallet (the last generation seen of each)."""
    env = os.environ.get("WALLET_STATE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def default_wallet_path() -> Path:
    env = os.environ.get("WALLET_HOME")
    if env:
        return Path(env).expanduser()
    return data_dir() / "wallet"


def demo_wallet_path() -> Path:
    # The demo never shares a folder with the learner's real wallet.
    return data_dir() / "demo"
