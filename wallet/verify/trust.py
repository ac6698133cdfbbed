"""The verifier's trust list: which issuers this wallet's user has chosen to trust.

File format (JSON)::

    {"version": 1, "name": "My employers", "issuers": [{"id": "did:web:..." , "name": "..."}]}

An ``id`` is a DID or an https URL (an https entry also trusts URLs under it). Not being
listed is a warning, never a failure: the credential may be perfectly genuine.
"""

from __future__ import annotations

from typing import Any

from wallet.errors import MalformedInput
from wallet.jsonguard import load_json_object
from wallet.model import ISSUER_TRUST, Check, CheckStatus, Credential
from wallet.verify import trust_ids
from wallet.verify.context import TrustEntry, TrustList, VerifyContext

TRUST_FILE_VERSION = 1
MAX_TRUST_FILE_BYTES = 4 * 1024 * 1024


def _entry(item: Any, position: int) -> TrustEntry:
    if not isinstance(item, dict):
        raise MalformedInput(f"trust list issuer #{position} must be a JSON object")
    issuer_id = item.get("id")
    if not isinstance(issuer_id, str) or not issuer_id.strip():
        raise MalformedInput(f"trust list issuer #{position} has no id")
    try:
        issuer_id = trust_ids.normalize(issuer_id)
    except ValueError as exc:
        raise MalformedInput(f"trust list issuer #{position}: {exc}") from None
    name = item.get("name", "")
    if not isinstance(name, str):
        raise MalformedInput(f"trust list issuer #{position}: name must be a string")
    return TrustEntry(id=issuer_id, name=name)


def load_trust_file(data: bytes) -> TrustList:
    """Parse a trust-list file strictly; one-line MalformedInput on any problem."""
    if len(data) > MAX_TRUST_FILE_BYTES:
        raise MalformedInput(f"trust list is larger than {MAX_TRUST_FILE_BYTES} bytes")
    doc = load_json_object(data, what="trust list")
    version = doc.get("version")
    if version != TRUST_FILE_VERSION or isinstance(version, bool):
        raise MalformedInput(
            f"trust list version {version!r} is not supported (expected {TRUST_FILE_VERSION})"
        )
    name = doc.get("name", "")
    if not isinstance(name, str):
        raise MalformedInput("trust list name must be a string")
    issuers = doc.get("issuers")
    if not isinstance(issuers, list):
        raise MalformedInput("trust list must have an 'issuers' array")
    return TrustList(entries=tuple(_entry(item, i + 1) for i, item in enumerate(issuers)))


def dump_trust_file(trust: TrustList, name: str = "") -> dict[str, Any]:
    """The JSON-ready trust-list document for ``trust`` (the inverse of load_trust_file)."""
    return {
        "version": TRUST_FILE_VERSION,
        "name": name,
        "issuers": [{"id": e.id, "name": e.name} for e in trust.entries],
    }


def check_trust(credential: Credential, ctx: VerifyContext, *, authenticated: bool) -> Check:
    """ISSUER_TRUST: passed when the issuer id is in the trust list and the signature
    proved that this issuer wrote the credential (``authenticated``).

    Only the id counts: it is what the signature is bound to. A ``url`` in the issuer
    profile is a claim any signer can make, so matching on it would let anyone pose as a
    trusted issuer.
    """
    if not authenticated:
        return Check(
            ISSUER_TRUST,
            CheckStatus.NOT_CHECKED,
            "nothing proves who wrote this credential (no signature was verified),"
            " so the trust list does not apply",
        )
    issuer_id = credential.issuer.id
    if not issuer_id:
        return Check(ISSUER_TRUST, CheckStatus.WARNING, "the credential names no issuer id")
    entry = ctx.trust.find(issuer_id)
    if entry is not None:
        label = f" as {entry.name!r}" if entry.name else ""
        return Check(ISSUER_TRUST, CheckStatus.PASSED, f"issuer {issuer_id} is trusted{label}")
    shown = f"{credential.issuer.name} ({issuer_id})" if credential.issuer.name else issuer_id
    return Check(ISSUER_TRUST, CheckStatus.WARNING, f"issuer {shown} is not in your trust list")
