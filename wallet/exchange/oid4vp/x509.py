"""Verifiers identified by an X.509 certificate (``x509_san_dns:``, ``x509_hash:``).

The request must be signed by the key of the leaf certificate in ``x5c``, and the leaf
must name the client identifier. The verifier counts as verified only when the chain
reaches a trust anchor the user gave (``--verifier-ca``); otherwise the request is read,
shown as unverified, and its answer may only go to the certificate's own host.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from wallet.errors import MalformedInput, NotFound, UsageError
from wallet.verify import jws, keys

Certificate = x509.Certificate
MAX_CHAIN = 5


def load_anchors(pem: bytes, name: str) -> list[Certificate]:
    """The certificates in a PEM file the user names as trust anchors for verifiers."""
    try:
        found = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise UsageError(f"{name}: not a PEM file of certificates") from None
    if not found:
        raise NotFound(f"{name}: holds no certificate")
    return found


def _chain(header: dict[str, object]) -> list[Certificate]:
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c or len(x5c) > MAX_CHAIN:
        raise MalformedInput("the request names an X.509 verifier but carries no x5c chain")
    chain = []
    for item in x5c:
        if not isinstance(item, str):
            raise MalformedInput("x5c entries must be base64 certificates")
        try:
            chain.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
        except (ValueError, binascii.Error):
            raise MalformedInput("an x5c entry is not a DER certificate") from None
    return chain


def _dns_names(cert: Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [n.lower() for n in san.value.get_values_for_type(x509.DNSName)]


def _reaches_anchor(
    chain: list[Certificate], anchors: list[Certificate], now: datetime
) -> tuple[bool, str]:
    if not anchors:
        return False, "no trust anchor for verifiers was given"
    builder = (
        PolicyBuilder()
        .store(Store(anchors))
        .time(now)
        .max_chain_depth(MAX_CHAIN)
        # Request-signing certificates need not be TLS server certificates.
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
    )
    try:
        builder.build_client_verifier().verify(chain[0], chain[1:])
    except VerificationError as exc:
        return False, f"its certificate chain does not reach a trust anchor you gave ({exc})"
    return True, "its certificate chain reaches a trust anchor you gave"


_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "ES256": hashes.SHA256,
    "ES384": hashes.SHA384,
}


def _verify_leaf(token: jws.CompactJWS, leaf: Certificate) -> None:
    """The JWS signature by the leaf certificate's key. Checked here rather than through
    wallet.verify.jws, whose joserfc rules cap a header at 512 bytes: an x5c chain alone
    is larger."""
    alg = str(token.header["alg"])
    public = leaf.public_key()
    data, sig = token.signing_input, token.signature
    try:
        if alg in ("EdDSA", "Ed25519") and isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(sig, data)
        elif alg in ("ES256", "ES384") and isinstance(public, ec.EllipticCurvePublicKey):
            size = (public.curve.key_size + 7) // 8
            if len(sig) != 2 * size or _HASHES[alg]().digest_size != size:
                raise jws.BadSignature(f"a {alg} signature of the wrong size or curve")
            der = encode_dss_signature(int.from_bytes(sig[:size]), int.from_bytes(sig[size:]))
            public.verify(der, data, ec.ECDSA(_HASHES[alg]()))
        elif alg == "RS256" and isinstance(public, rsa.RSAPublicKey) and public.key_size >= 2048:
            public.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise jws.BadSignature(f"the certificate's key does not fit {alg}")
    except InvalidSignature:
        raise jws.BadSignature("the signature does not match (tampered or wrong key)") from None


def check_request(
    prefix: str,
    value: str,
    token: jws.CompactJWS,
    response_uri: str,
    anchors: list[Certificate],
    now: datetime,
) -> tuple[bool, str]:
    """(verified, how) for a request signed by an X.509 certificate; raises BadSignature
    when the signature is not the leaf's, MalformedInput when the leaf does not name
    the client identifier or the answer would go to another host."""
    chain = _chain(token.header)
    leaf = chain[0]
    if prefix == "x509_san_dns":
        if value.lower() not in _dns_names(leaf):
            raise MalformedInput(f"the request's certificate does not name {value}")
    else:
        digest = hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).digest()
        if keys.b64url(digest) != value:
            raise MalformedInput("the request's certificate is not the one its x509_hash names")
    try:
        jws.check_header(token.header)
        _verify_leaf(token, leaf)
    except jws.BadSignature as exc:
        raise jws.BadSignature(f"the request's signature does not verify: {exc.message}") from None
    verified, why = _reaches_anchor(chain, anchors, now)
    host = (urlsplit(response_uri).hostname or "").lower()
    if prefix == "x509_san_dns" and not verified and host != value.lower():
        # Section 5.9.3: an untrusted x509_san_dns verifier may answer only to its own host.
        raise MalformedInput(f"the answer would go to {host}, not to the certificate's {value}")
    subject = leaf.subject.rfc4514_string() or value
    if verified:
        return True, f"certificate for {value} ({subject}); {why}"
    return False, f"not verified: certificate for {value} ({subject}); {why}"
