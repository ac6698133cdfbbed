"""Record encryption: ``version | key id | 96-bit nonce | AES-256-GCM ciphertext+tag``.

The associated data binds store id, table, record id, kind and revision, so a row cannot
be moved to another id, relabelled, copied in from another wallet or rolled back to an old
revision without failing authentication (or the store MAC).
"""

from __future__ import annotations

import json
import os
from typing import Any

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wallet.errors import IntegrityError

BLOB_VERSION = 1
KEY_ID = 1
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = 2 + NONCE_BYTES
TABLE = "records"


def associated_data(store_id: str, record_id: str, kind: str, revision: int) -> bytes:
    return "\x00".join(("lw-record-v1", store_id, TABLE, record_id, kind, str(revision))).encode()


def seal(
    key: bytes, store_id: str, record_id: str, kind: str, revision: int, data: dict[str, Any]
) -> bytes:
    plaintext = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    nonce = os.urandom(NONCE_BYTES)
    aad = associated_data(store_id, record_id, kind, revision)
    return bytes((BLOB_VERSION, KEY_ID)) + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_blob(
    key: bytes, store_id: str, record_id: str, kind: str, revision: int, blob: bytes
) -> dict[str, Any]:
    damaged = IntegrityError(
        f"record {record_id} ({kind}) is damaged or was tampered with", record_id=record_id
    )
    if len(blob) < HEADER_BYTES + TAG_BYTES or blob[0] != BLOB_VERSION or blob[1] != KEY_ID:
        raise damaged
    nonce = blob[2:HEADER_BYTES]
    aad = associated_data(store_id, record_id, kind, revision)
    try:
        plaintext = AESGCM(key).decrypt(nonce, blob[HEADER_BYTES:], aad)
        data = _loads(plaintext)
    except (InvalidTag, ValueError):
        raise damaged from None
    if not isinstance(data, dict):
        raise damaged
    return data


def _loads(plaintext: bytes) -> Any:
    # msgspec decodes twice as fast, and keeps big integers exact; what it refuses (the
    # NaN and Infinity that json.dumps writes) falls back to the json module.
    try:
        return msgspec.json.decode(plaintext)
    except msgspec.DecodeError:
        return json.loads(plaintext)


def tag_of(blob: bytes) -> bytes:
    return blob[-TAG_BYTES:]
