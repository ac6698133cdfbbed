"""Wallets for the OpenID4VP tests: a learner holding the demo credentials (bound to their
own keys) and an employer's wallet that trusts the demo college."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from wallet.api import KdfParams, Wallet
from wallet.issuer.demo import COLLEGE, sample_credentials

PASSPHRASE = "correct horse battery staple"
VCT = "https://college.demo/credentials/transcript-entry"
LABELS = ("ob3", "sdjwt", "vcjwt", "expired", "ob2")


@dataclass
class Holder:
    wallet: Wallet
    path: Path
    ids: dict[str, str]


def _create(path: Path) -> Wallet:
    wallet, _ = Wallet.create(path, PASSPHRASE, kdf=KdfParams.for_tests(), allow_weak=True)
    return wallet


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Holder]:
    path = tmp_path / "holder"
    wallet = _create(path)
    key = wallet.holder_key("EdDSA")
    ids = {
        label: wallet.import_bytes(data, source=source).id
        for label, (source, data) in zip(
            LABELS, sample_credentials(key.did, key.public_jwk), strict=True
        )
    }
    yield Holder(wallet, path, ids)
    wallet.close()


@pytest.fixture
def employer(tmp_path: Path) -> Iterator[Wallet]:
    wallet = _create(tmp_path / "employer")
    wallet.trust_add(COLLEGE.did, COLLEGE.name)
    yield wallet
    wallet.close()
