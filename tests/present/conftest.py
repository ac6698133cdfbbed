from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from wallet.api import Wallet
from wallet.issuer.demo import COLLEGE, sample_credentials
from wallet.store import KdfParams


@dataclass
class Demo:
    wallet: Wallet
    ids: dict[str, str]  # short label -> credential id


@pytest.fixture
def demo_wallet(tmp_path: Path) -> Any:
    wallet, _ = Wallet.create(
        tmp_path / "holder", "holder passphrase", kdf=KdfParams.for_tests(), allow_weak=True
    )
    key = wallet.holder_key("EdDSA")
    assert isinstance(key.private_key, ed25519.Ed25519PrivateKey)
    labels = ["ob3", "sdjwt", "vcjwt", "expired", "ob2"]
    ids = {}
    for label, (source, data) in zip(
        labels, sample_credentials(key.did, key.public_jwk), strict=True
    ):
        ids[label] = wallet.import_bytes(data, source=source).id
    yield Demo(wallet, ids)
    wallet.close()


@pytest.fixture
def verifier(tmp_path: Path) -> Any:
    """The interviewer's own wallet: trusts the demo college, not the bootcamp."""
    wallet, _ = Wallet.create(
        tmp_path / "verifier", "verifier passphrase", kdf=KdfParams.for_tests(), allow_weak=True
    )
    wallet.trust_add(COLLEGE.did, COLLEGE.name)
    yield wallet
    wallet.close()
