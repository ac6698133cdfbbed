"""What a document in the offline cache is for. `wallet cache add` says it, and refuses a
document that verification would never read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from wallet.errors import UnsupportedInput

KINDS = (
    "did:web DID document",
    "JWKS (issuer keys)",
    "SD-JWT VC issuer metadata (/.well-known/jwt-vc-issuer)",
    "status list (Bitstring, StatusList2021, Token Status List, OB 2.0 revocation list)",
    "Open Badges hosted document (assertion, badge class, issuer profile, key)",
)
HOSTED_TYPES = {"Assertion", "BadgeClass", "Issuer", "Profile", "CryptographicKey"}
STATUS_TYPES = {"BitstringStatusList", "StatusList2021", "RevocationList"}


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    use: str  # what verification reads it for, in one line


def _types(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in items if isinstance(t, str)}


def _jwt_typ(data: bytes) -> str | None:
    import base64

    text = data.strip().decode("ascii", "replace")
    if text.count(".") != 2:
        return None
    head = text.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, TypeError):
        return None
    typ = header.get("typ") if isinstance(header, dict) else None
    return typ if isinstance(typ, str) else None


def classify(url: str, data: bytes) -> DocumentKind:
    """The kind of ``data`` cached for ``url``, or UnsupportedInput naming the kinds used."""
    if _jwt_typ(data) == "statuslist+jwt":
        return DocumentKind(KINDS[3], f"the Token Status List at {url}")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        doc = None
    if isinstance(doc, dict):
        found = _classify_json(url, doc)
        if found is not None:
            return found
    raise UnsupportedInput(
        f"{url}: verification would never read this document; the cache holds: " + "; ".join(KINDS)
    )


def _classify_json(url: str, doc: dict[str, Any]) -> DocumentKind | None:
    ident = doc.get("id")
    if (
        isinstance(ident, str)
        and ident.startswith("did:")
        and ("verificationMethod" in doc or "assertionMethod" in doc or "authentication" in doc)
    ):
        return DocumentKind(KINDS[0], f"the keys of {ident}")
    if isinstance(doc.get("keys"), list):
        parts = urlsplit(url)
        hint = (
            f"; as an issuer's own JWKS it is read at {parts.scheme}://{parts.netloc}"
            "/.well-known/jwks.json"
            if parts.path in ("", "/")
            else ""
        )
        return DocumentKind(
            KINDS[1], f"issuer keys, when an issuer's metadata names {url} as its jwks_uri{hint}"
        )
    if "kty" in doc:
        raise UnsupportedInput(f'{url}: a single JWK; cache a JWKS instead: {{"keys": [ ... ]}}')
    if isinstance(doc.get("issuer"), str) and ("jwks" in doc or "jwks_uri" in doc):
        if "/.well-known/jwt-vc-issuer" not in urlsplit(url).path:
            raise UnsupportedInput(
                f"{url}: issuer metadata is read only at https://HOST/.well-known/jwt-vc-issuer"
                "/PATH for an issuer https://HOST/PATH"
            )
        return DocumentKind(KINDS[2], f"the keys of the SD-JWT VC issuer {doc['issuer']}")
    subject = doc.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if any(isinstance(s, dict) and (_types(s.get("type")) & STATUS_TYPES) for s in subjects):
        return DocumentKind(KINDS[3], f"the status list {url}")
    if "revokedAssertions" in doc or _types(doc.get("type")) & {"RevocationList"}:
        return DocumentKind(KINDS[3], f"the Open Badges 2.0 revocation list {url}")
    if _types(doc.get("type")) & HOSTED_TYPES:
        kinds = ", ".join(sorted(_types(doc.get("type")) & HOSTED_TYPES))
        return DocumentKind(KINDS[4], f"the hosted {kinds} at {url}")
    return None
