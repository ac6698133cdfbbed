"""Key hierarchy: passphrase -> Argon2id -> key-encryption key -> wraps the random data key.

A recovery key (high entropy, shown once) opens a second slot. That slot seals the data
key to an X25519 public key derived from the recovery key, so a passphrase change can
seal a new data key for the recovery key without knowing it. The data key never touches
disk unwrapped; HKDF derives separate sub-keys from it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import unicodedata
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wallet.errors import IntegrityError, UsageError, WrongPassphrase

KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12

# Bounds checked on stored parameters *before* the KDF runs: a tampered slot asking for
# a terabyte of memory must be refused, not obeyed.
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_ITERATIONS = 64
MAX_PARALLELISM = 64
MIN_CREATE_MEMORY_KIB = 64 * 1024


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int = 256 * 1024
    iterations: int = 3
    parallelism: int = 4

    @classmethod
    def for_tests(cls) -> KdfParams:
        """Cheap parameters: only for tests and throwaway wallets, never a default."""
        return cls(memory_kib=8 * 1024, iterations=1, parallelism=1)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> KdfParams:
        try:
            raw = json.loads(text)
            params = cls(
                memory_kib=int(raw["memory_kib"]),
                iterations=int(raw["iterations"]),
                parallelism=int(raw["parallelism"]),
            )
        except (ValueError, KeyError, TypeError):
            raise IntegrityError(
                "key slot has unreadable KDF parameters", record_id="key-slot"
            ) from None
        params.check_sane()
        return params

    def check_sane(self) -> None:
        if not (
            1 <= self.parallelism <= MAX_PARALLELISM
            and 1 <= self.iterations <= MAX_ITERATIONS
            and 8 * self.parallelism <= self.memory_kib <= MAX_MEMORY_KIB
        ):
            raise IntegrityError("key slot has unreasonable KDF parameters", record_id="key-slot")

    def check_creatable(self, allow_weak: bool) -> None:
        self.check_sane()
        if self.memory_kib < MIN_CREATE_MEMORY_KIB and not allow_weak:
            raise UsageError(
                f"Argon2id memory below {MIN_CREATE_MEMORY_KIB // 1024} MiB is too weak"
            )


def normalize_passphrase(passphrase: str) -> bytes:
    # NFC so the same passphrase typed on another OS or keyboard still unlocks.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_passphrase_kek(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    params.check_sane()
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.parallelism,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(normalize_passphrase(passphrase))


def new_recovery_key() -> str:
    raw = secrets.token_bytes(20)
    text = base64.b32encode(raw).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def recovery_key_bytes(recovery_key: str) -> bytes:
    cleaned = "".join(ch for ch in recovery_key.upper() if ch.isalnum())
    try:
        raw = base64.b32decode(cleaned)
    except ValueError:
        raise WrongPassphrase("wrong recovery key") from None
    if len(raw) != 20:
        raise WrongPassphrase("wrong recovery key")
    return raw


def derive_recovery_kek(recovery_key: str, salt: bytes) -> bytes:
    # The recovery key already has 160 bits of entropy: a slow KDF adds nothing.
    return hkdf(recovery_key_bytes(recovery_key), salt, b"learner-wallet recovery slot v1")


RECOVERY_SEALED = "x25519-hkdf-aesgcm"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def recovery_public_key(recovery_key: str, salt: bytes) -> bytes:
    private = _recovery_private(recovery_key, salt)
    return private.public_key().public_bytes(*_RAW)


def _recovery_private(recovery_key: str, salt: bytes) -> X25519PrivateKey:
    seed = hkdf(recovery_key_bytes(recovery_key), salt, b"learner-wallet recovery x25519 v1")
    return X25519PrivateKey.from_private_bytes(seed)


def _seal_key(shared: bytes, ephemeral: bytes, public: bytes) -> bytes:
    return hkdf(shared, ephemeral + public, b"learner-wallet recovery seal v1")


def seal_for_recovery(public: bytes, data_key: bytes, aad: bytes) -> bytes:
    """``ephemeral public key | nonce | AES-GCM(data key)``, openable only with the
    recovery key whose public key is ``public``."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(*_RAW)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    return ephemeral_public + wrap(_seal_key(shared, ephemeral_public, public), data_key, aad)


def open_recovery_seal(
    recovery_key: str, salt: bytes, public: bytes, sealed: bytes, aad: bytes
) -> bytes:
    private = _recovery_private(recovery_key, salt)
    if private.public_key().public_bytes(*_RAW) != public or len(sealed) < 32:
        raise WrongPassphrase("wrong recovery key")
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(sealed[:32]))
    except ValueError:
        raise WrongPassphrase("wrong recovery key") from None
    kek = _seal_key(shared, sealed[:32], public)
    return unwrap(kek, sealed[32:], aad, message="wrong recovery key")


def hkdf(key: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(key)


def wrap(kek: bytes, data_key: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, data_key, aad)


def unwrap(kek: bytes, wrapped: bytes, aad: bytes, *, message: str = "wrong passphrase") -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        # A wrong passphrase and a corrupted slot take this same path, after the same KDF.
        raise WrongPassphrase(message) from None


@dataclass(frozen=True)
class SubKeys:
    records: bytes
    mac: bytes

    @classmethod
    def from_data_key(cls, data_key: bytes) -> SubKeys:
        return cls(
            records=hkdf(data_key, None, b"learner-wallet records v1"),
            mac=hkdf(data_key, None, b"learner-wallet store mac v1"),
        )
