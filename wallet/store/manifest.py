"""The store authenticator: a manifest of every row, split into fixed buckets, under one MAC.

Each row's entry (kind, revision, AEAD tag) lives in one of 256 buckets,
chosen by a hash of its id. The store MAC covers the store id, the generation, the key
slots and the hash of the 256 bucket hashes. A write re-encodes only the buckets it
touches and hashes 8 KiB of bucket hashes, so its cost does not grow with the store
(about n/256 entries per bucket), while unlock can still name the exact record that was
deleted, added, replaced or rolled back, which a set hash alone could not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

BUCKETS = 256
MAC_VERSION = b"2"
EMPTY = b"{}"

Entry = list[Any]  # [kind, revision, tag hex]


def entry(kind: str, revision: int, tag: bytes) -> Entry:
    return [kind, revision, tag.hex()]


def bucket_of(record_id: str) -> int:
    return hashlib.sha256(record_id.encode()).digest()[0]


def _encode(bucket: Mapping[str, Entry]) -> bytes:
    return json.dumps(dict(sorted(bucket.items())), separators=(",", ":")).encode()


@dataclass(frozen=True)
class Manifest:
    buckets: tuple[dict[str, Entry], ...]
    encoded: tuple[bytes, ...]
    digests: tuple[bytes, ...]

    @classmethod
    def empty(cls) -> Manifest:
        digest = hashlib.sha256(EMPTY).digest()
        return cls(tuple({} for _ in range(BUCKETS)), (EMPTY,) * BUCKETS, (digest,) * BUCKETS)

    @classmethod
    def from_entries(cls, entries: Mapping[str, Entry]) -> Manifest:
        return cls.empty().apply(entries.items())[0]

    @classmethod
    def from_stored(cls, stored: Mapping[int, bytes]) -> Manifest:
        """The manifest as stored (bucket number -> encoded bucket; absent means empty).
        Not trusted until its root matches the store MAC."""
        encoded = tuple(stored.get(i, EMPTY) for i in range(BUCKETS))
        digests = tuple(hashlib.sha256(e).digest() for e in encoded)
        return cls(tuple({} for _ in range(BUCKETS)), encoded, digests)

    def decoded(self) -> Manifest:
        """Parse the buckets (after the MAC matched). Raises ValueError on junk."""
        buckets = []
        for number, data in enumerate(self.encoded):
            bucket = json.loads(data)
            if not isinstance(bucket, dict) or any(bucket_of(i) != number for i in bucket):
                raise ValueError(f"manifest bucket {number} is malformed")
            buckets.append(bucket)
        return Manifest(tuple(buckets), self.encoded, self.digests)

    def entries(self) -> dict[str, Entry]:
        return {rid: e for bucket in self.buckets for rid, e in bucket.items()}

    def apply(self, changes: Iterable[tuple[str, Entry | None]]) -> tuple[Manifest, set[int]]:
        """A new manifest with ``changes`` (None deletes), and the bucket numbers touched."""
        buckets = list(self.buckets)
        touched: set[int] = set()
        for rid, value in changes:
            number = bucket_of(rid)
            if number not in touched:
                buckets[number] = dict(buckets[number])
                touched.add(number)
            if value is None:
                buckets[number].pop(rid, None)
            else:
                buckets[number][rid] = value
        encoded = list(self.encoded)
        digests = list(self.digests)
        for number in touched:
            encoded[number] = _encode(buckets[number])
            digests[number] = hashlib.sha256(encoded[number]).digest()
        return Manifest(tuple(buckets), tuple(encoded), tuple(digests)), touched

    def root(self) -> bytes:
        return hashlib.sha256(b"".join(self.digests)).digest()


def store_mac(
    mac_key: bytes,
    store_id: str,
    generation: int,
    slots: Iterable[tuple[str, str, str, bytes, bytes]],
    root: bytes,
) -> bytes:
    """HMAC over the store id, generation, every key slot (sorted) and the manifest root."""
    h = hmac.new(mac_key, digestmod=hashlib.sha256)

    def part(value: bytes) -> None:
        h.update(len(value).to_bytes(8, "big") + value)

    for value in (b"lw-store-mac-v2", store_id.encode(), str(generation).encode()):
        part(value)
    for slot, kdf, params, salt, wrapped in sorted(slots):
        for value in (slot.encode(), kdf.encode(), params.encode(), salt, wrapped):
            part(value)
    part(root)
    return h.digest()
