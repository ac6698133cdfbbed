"""Encrypted SQLite store: keys (KDF, wrapping), records (AEAD), migrations, backups."""

from wallet.store.keys import KdfParams
from wallet.store.rows import Record
from wallet.store.store import Store

__all__ = ["KdfParams", "Record", "Store"]
