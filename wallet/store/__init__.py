"""Encrypted SQLite store: keys (KDF, wrapping), records (AEAD), migrations, backups."""

from wallet.store.keys import KdfParams
from wallet.store.store import Record, Store

__all__ = ["KdfParams", "Record", "Store"]
