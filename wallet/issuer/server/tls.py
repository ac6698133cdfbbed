"""A private certificate authority for the issuer's HTTPS on loopback.

On first run the issuer makes an EC P-256 CA and a server certificate it signs, for
``localhost``, ``127.0.0.1`` and ``::1`` (plus the public URL's host, if another one),
and keeps them in ``STATE/tls/``. The wallet trusts the CA through WALLET_CA_FILE. The
server certificate is renewed when it is near its end or lacks a host it must name.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from wallet.issuer.server.state import write_atomic

CA_DAYS = 3650
LEAF_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path  # the CA certificate (PEM): what WALLET_CA_FILE points at
    cert_file: Path  # the server certificate, then the CA (a chain)
    key_file: Path  # the server key

    def client_context(self) -> ssl.SSLContext:
        """An SSL context for clients that trusts this CA (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def tls_paths(state_dir: Path) -> TlsFiles:
    folder = state_dir / "tls"
    return TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes) -> None:
    write_atomic(path, data)
    path.chmod(0o600)


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """A CA signs certificates (and CRLs) only; a server certificate signs only handshakes."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _make_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Learner Wallet reference issuer CA")]
    )
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(folder / "ca-key.pem", _private_pem(key))
    write_atomic(folder / "ca.pem", cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _load_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
        key = serialization.load_pem_private_key((folder / "ca-key.pem").read_bytes(), None)
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert.not_valid_after_utc < _now():
        return None
    return cert, key


def _leaf_fits(path: Path, ca: x509.Certificate, names: tuple[str, ...]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        # A CA made anew keeps its name: only its signature tells the old leaf apart.
        cert.verify_directly_issued_by(ca)
    except (FileNotFoundError, ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    return cert.not_valid_after_utc - RENEW_BEFORE > _now() and all(_san(n) in sans for n in names)


def _make_leaf(
    files: TlsFiles,
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    names: tuple[str, ...],
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(files.key_file, _private_pem(key))
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    write_atomic(files.cert_file, chain)


def ensure_ca(state_dir: Path) -> TlsFiles:
    """The CA (made on first use); the server certificate is made by ensure_tls."""
    files = tls_paths(state_dir)
    if _load_ca(files.ca_file.parent) is None:
        _make_ca(files.ca_file.parent)
    return files


def ensure_tls(state_dir: Path, host: str | None = None) -> TlsFiles:
    """CA and server certificate, made or renewed as needed; ``host`` is the public URL's."""
    files = tls_paths(state_dir)
    folder = files.ca_file.parent
    loaded = _load_ca(folder) or _make_ca(folder)
    ca, ca_key = loaded
    names = LOOPBACK_NAMES + ((host,) if host and host not in LOOPBACK_NAMES else ())
    if not _leaf_fits(files.cert_file, ca, names):
        _make_leaf(files, ca, ca_key, names)
    return files
