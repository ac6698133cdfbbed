"""Schema versions, applied with sqlite_utils.Migrations.

Only ids, kinds, revisions and blob sizes (in the records, again in the manifest), the
generation and key-slot parameters are plaintext; every value lives in an encrypted blob.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("learner-wallet")


@migrations()
def m001_initial(db: Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT")
    db.execute(
        "CREATE TABLE key_slots (slot TEXT PRIMARY KEY, kdf TEXT NOT NULL, params TEXT NOT NULL,"
        " salt BLOB NOT NULL, wrapped BLOB NOT NULL) STRICT"
    )
    db.execute(
        "CREATE TABLE records (id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
        " revision INTEGER NOT NULL, blob BLOB NOT NULL) STRICT"
    )


@migrations()
def m002_bucketed_manifest(db: Database) -> None:
    # The store MAC's manifest, one row per bucket (see manifest.py).
    db.execute("CREATE TABLE manifest (bucket INTEGER PRIMARY KEY, entries BLOB NOT NULL) STRICT")


def apply(db: Database) -> None:
    migrations.apply(db)
