"""CLI commands for the wallet itself: create, unlock helpers, passphrase and recovery,
holder keys, backup and restore."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from wallet.cli import Env, cli, json_option, pass_env, read_secret
from wallet.errors import NotFound, UsageError


@cli.command()
@click.option(
    "--weak-kdf",
    is_flag=True,
    hidden=True,
    help="Cheap key derivation, for tests only.",
)
@json_option
@pass_env
def init(env: Env, weak_kdf: bool) -> None:
    """Create a wallet with its holder keys; prints the recovery key once."""
    from wallet.api import KdfParams, Wallet

    if Wallet.exists(env.wallet_path):
        raise UsageError(f"a wallet already exists at {env.wallet_path}")
    passphrase = env.passphrase("New passphrase", confirm=True)
    if len(passphrase) < 8:
        raise UsageError("the passphrase must be at least 8 characters")
    kdf = KdfParams.for_tests() if weak_kdf else KdfParams()
    wallet, recovery_key = Wallet.create(env.wallet_path, passphrase, kdf=kdf, allow_weak=weak_kdf)
    keys = [k.to_dict() for k in wallet.holder_keys()]
    wallet.close()
    env.emit(
        {"wallet": str(env.wallet_path), "recovery_key": recovery_key, "keys": keys},
        lambda: (
            f"Created wallet at {env.wallet_path}\n"
            f"Recovery key (shown once; write it down and keep it apart from this computer):\n"
            f"  {recovery_key}\n" + "\n".join(f"Holder key {k['alg']}: {k['did']}" for k in keys)
        ),
    )


@cli.command()
@click.option(
    "--new-passphrase-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the new passphrase from this file (else $WALLET_NEW_PASSPHRASE, else a prompt).",
)
@json_option
@pass_env
def passwd(env: Env, new_passphrase_file: Path | None) -> None:
    """Change the passphrase and re-key: every record is re-encrypted under a new data key
    in one crash-safe transaction, so an old copy of the file and the old passphrase open
    nothing written since. The recovery key keeps working."""
    wallet = env.open()
    new = _new_passphrase(new_passphrase_file)
    recovery_key = wallet.change_passphrase(new)
    _emit_changed(env, recovery_key)


def _new_passphrase(path: Path | None) -> str:
    new = read_secret(
        "WALLET_NEW_PASSPHRASE",
        path,
        prompt="New passphrase",
        confirm=True,
        option="--new-passphrase-file",
    )
    if len(new) < 8:
        raise UsageError("the passphrase must be at least 8 characters")
    return new


def _emit_changed(env: Env, recovery_key: str | None) -> None:
    text = "Passphrase changed; every record was re-encrypted under a new key."
    if recovery_key:
        text += (
            "\nThis wallet's old recovery key could not be kept. New recovery key (shown once;"
            f" write it down and keep it apart from this computer):\n  {recovery_key}"
        )
    env.emit({"changed": True, "recovery_key": recovery_key}, text)


@cli.command()
@click.option(
    "--recovery-key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the recovery key from this file (else $WALLET_RECOVERY_KEY, else a prompt).",
)
@click.option(
    "--new-passphrase-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the new passphrase from this file (else $WALLET_NEW_PASSPHRASE, else a prompt).",
)
@json_option
@pass_env
def recover(env: Env, recovery_key_file: Path | None, new_passphrase_file: Path | None) -> None:
    """Open the wallet with the recovery key printed at 'init' and set a new passphrase.

    Exit 3 for a wrong recovery key (nothing changes)."""
    from wallet.api import Wallet

    if not Wallet.exists(env.wallet_path):
        raise NotFound(f"no wallet at {env.wallet_path}")
    recovery_key = read_secret(
        "WALLET_RECOVERY_KEY",
        recovery_key_file,
        prompt="Recovery key",
        option="--recovery-key-file",
    )
    new = _new_passphrase(new_passphrase_file)
    wallet = Wallet.recover(env.wallet_path, recovery_key, new)
    wallet.close()
    _emit_changed(env, None)


@cli.command()
@json_option
@pass_env
def keys(env: Env) -> None:
    """Show the holder's public keys as JWK and did:key."""
    wallet = env.open()
    items = [k.to_dict() for k in wallet.holder_keys()]
    env.emit(
        {"keys": items},
        lambda: "\n".join(
            f"{k['alg']:6} {k['did']}\n       {json.dumps(k['jwk'], sort_keys=True)}" for k in items
        ),
    )


backup_passphrase_option = click.option(
    "--backup-passphrase-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Passphrase for the age file (else $WALLET_BACKUP_PASSPHRASE, else the wallet's).",
)


@cli.command()
@click.argument("dest", type=click.Path(path_type=Path, dir_okay=False))
@backup_passphrase_option
@json_option
@pass_env
def backup(env: Env, dest: Path, backup_passphrase_file: Path | None) -> None:
    """Write an encrypted backup (age format, passphrase-protected) to DEST."""
    wallet = env.open()
    secret = _backup_secret(env, backup_passphrase_file)
    if dest.exists():
        raise UsageError(f"{dest} exists; choose a new file name")
    wallet.backup(dest, secret)
    env.emit({"backup": str(dest)}, f"Backup written to {dest}")


@cli.command()
@click.argument("src", type=click.Path(path_type=Path, dir_okay=False))
@backup_passphrase_option
@json_option
@pass_env
def restore(env: Env, src: Path, backup_passphrase_file: Path | None) -> None:
    """Restore a backup into an empty wallet folder (never over an existing wallet)."""
    from wallet.api import Wallet

    if not src.is_file():
        raise NotFound(f"{src}: no such file")
    secret = _backup_secret(env, backup_passphrase_file)
    # A restore goes back in time on purpose: it becomes the new baseline, not a rollback.
    Wallet.restore(src, env.wallet_path, secret)
    env.emit(
        {"restored": str(env.wallet_path)},
        f"Restored into {env.wallet_path}; unlock it with the passphrase it had at backup time.",
    )


def _backup_secret(env: Env, path: Path | None) -> str:
    if path is not None or os.environ.get("WALLET_BACKUP_PASSPHRASE"):
        return read_secret(
            "WALLET_BACKUP_PASSPHRASE",
            path,
            prompt="Backup passphrase",
            option="--backup-passphrase-file",
        )
    return env.passphrase("Backup passphrase")
