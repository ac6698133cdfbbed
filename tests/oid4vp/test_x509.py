"""Verifiers identified by X.509 certificates (x509_san_dns:, x509_hash:): verified only
when the chain reaches a trust anchor the learner gave, otherwise shown as unverified and
allowed to answer only to the certificate's own host. Requests by value: no network."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.oid4vp.conftest import VCT, Holder
from wallet.errors import MalformedInput, VerificationFailed
from wallet.verify import jws, keys

HOST = "verifier.example"
QUERY = {"credentials": [{"id": "t", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]}}]}


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool,
    dns: str | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    signer_name, signer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(signer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False
        )
    return builder.sign(signer_key, hashes.SHA256())


class Pki:
    def __init__(self, tmp_path: Path) -> None:
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca = _cert("Test Verifier CA", self.ca_key, None, ca=True)
        self.leaf_key = ec.generate_private_key(ec.SECP256R1())
        self.leaf = _cert(
            HOST, self.leaf_key, ("Test Verifier CA", self.ca_key), ca=False, dns=HOST
        )
        self.anchor = tmp_path / "verifier-ca.pem"
        self.anchor.write_bytes(self.ca.public_bytes(serialization.Encoding.PEM))
        other = ec.generate_private_key(ec.SECP256R1())
        self.other_anchor = tmp_path / "other-ca.pem"
        self.other_anchor.write_bytes(
            _cert("Another CA", other, None, ca=True).public_bytes(serialization.Encoding.PEM)
        )

    def x5c(self) -> list[str]:
        return [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
            for c in (self.leaf, self.ca)
        ]

    def leaf_hash(self) -> str:
        return keys.b64url(
            hashlib.sha256(self.leaf.public_bytes(serialization.Encoding.DER)).digest()
        )

    def link(
        self, client_id: str, *, response_uri: str = f"https://{HOST}/response", key: Any = None
    ) -> str:
        payload = {
            "client_id": client_id,
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": response_uri,
            "nonce": "n-0S6_WzA2Mj-abcdefghijkl",
            "state": "s-abcdefghijkl0123456789",
            "dcql_query": QUERY,
            "client_metadata": {"client_name": "X.509 Verifier"},
        }
        header = {"typ": "oauth-authz-req+jwt", "x5c": self.x5c()}
        token = jws.sign_compact(payload, key or self.leaf_key, headers=header)
        return "openid4vp://?" + urlencode({"client_id": client_id, "request": token})


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return Pki(tmp_path)


def test_verified_only_when_the_chain_reaches_a_given_anchor(holder: Holder, pki: Pki) -> None:
    link = pki.link(f"x509_san_dns:{HOST}")
    trusted = holder.wallet.read_request(link, verifier_cas=[pki.anchor]).consent
    assert trusted.verified and "reaches a trust anchor you gave" in trusted.how
    assert trusted.name == "X.509 Verifier"
    plain = holder.wallet.read_request(link).consent
    assert not plain.verified and plain.how.startswith(
        "not verified: certificate for verifier.example"
    )
    wrong_anchor = holder.wallet.read_request(link, verifier_cas=[pki.other_anchor]).consent
    assert not wrong_anchor.verified and "does not reach" in wrong_anchor.how


def test_an_unverified_certificate_may_answer_only_to_its_own_host(
    holder: Holder, pki: Pki
) -> None:
    elsewhere = pki.link(f"x509_san_dns:{HOST}", response_uri="https://collector.example/post")
    with pytest.raises(MalformedInput, match=r"not to the certificate's verifier\.example"):
        holder.wallet.read_request(elsewhere)
    # Trusted through an anchor, the verifier may choose its response_uri (section 5.9.3).
    assert holder.wallet.read_request(elsewhere, verifier_cas=[pki.anchor]).consent.verified


def test_the_certificate_must_name_the_client_and_sign_the_request(
    holder: Holder, pki: Pki
) -> None:
    with pytest.raises(MalformedInput, match=r"does not name other\.example"):
        holder.wallet.read_request(
            pki.link("x509_san_dns:other.example"), verifier_cas=[pki.anchor]
        )
    impostor = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(VerificationFailed, match="signature does not verify"):
        holder.wallet.read_request(
            pki.link(f"x509_san_dns:{HOST}", key=impostor), verifier_cas=[pki.anchor]
        )


def test_x509_hash_names_the_leaf_certificate(holder: Holder, pki: Pki) -> None:
    consent = holder.wallet.read_request(
        pki.link(f"x509_hash:{pki.leaf_hash()}"), verifier_cas=[pki.anchor]
    ).consent
    assert consent.verified
    with pytest.raises(MalformedInput, match="not the one its x509_hash names"):
        holder.wallet.read_request(pki.link("x509_hash:" + "A" * 43))


def test_a_request_without_x5c_is_refused(holder: Holder, pki: Pki) -> None:
    token = jws.sign_compact(
        json.loads(json.dumps({"client_id": f"x509_san_dns:{HOST}"})),
        pki.leaf_key,
        headers={"typ": "oauth-authz-req+jwt"},
    )
    link = "openid4vp://?" + urlencode({"client_id": f"x509_san_dns:{HOST}", "request": token})
    with pytest.raises(MalformedInput):
        holder.wallet.read_request(link)
