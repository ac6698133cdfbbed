"""CLR 2.0 (Comprehensive Learner Record): a ClrCredential wrapping the learner's
achievement credentials. Its own proof and every nested credential's proof are checked;
the wallet shows it as one transcript whose entries are the nested credentials.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from wallet.errors import MalformedInput, WalletError
from wallet.formats import vc_jwt
from wallet.formats.vc_jsonld import normalize_vc, verify_document
from wallet.jsonguard import load_json_object
from wallet.model import SIGNATURE, Check, CheckStatus, Credential
from wallet.verify.context import VerifyContext

FORMAT = "clr"
MAX_NESTED = 500


def _nested_items(doc: dict[str, Any]) -> list[Any]:
    subject = doc.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    if not isinstance(subject, dict):
        raise MalformedInput("a ClrCredential needs a credentialSubject object")
    items = subject.get("verifiableCredential", [])
    items = items if isinstance(items, list) else [items]
    if len(items) > MAX_NESTED:
        raise MalformedInput(f"a CLR with more than {MAX_NESTED} credentials is not supported")
    return items


def _nested_credential(item: Any) -> Credential:
    if isinstance(item, str):
        return vc_jwt.parse(item.encode("ascii", "replace"))
    if isinstance(item, dict):
        raw = json.dumps(item, ensure_ascii=False).encode("utf-8")
        return normalize_vc(item, fmt="vc-jsonld", raw=raw, media_type="application/vc+ld+json")
    raise MalformedInput("a nested credential must be a JSON object or a compact JWT")


def parse(data: bytes) -> Credential:
    doc = load_json_object(data, what="CLR")
    nested = tuple(_nested_credential(item) for item in _nested_items(doc))
    base = normalize_vc(doc, fmt=FORMAT, raw=data, media_type="application/vc+ld+json")
    title = (
        base.title if base.title != (base.achievement.name if base.achievement else None) else None
    )
    name = doc.get("name") if isinstance(doc.get("name"), str) else None
    return dataclasses.replace(
        base,
        title=name or title or "Comprehensive Learner Record",
        achievement=None,  # a CLR's achievements are its nested credentials
        results=(),
        nested=nested,
    )


def verify_signature(credential: Credential, ctx: VerifyContext) -> list[Check]:
    doc = credential.document or load_json_object(credential.raw, what="CLR")
    checks = verify_document(doc, ctx)
    for i, (item, inner) in enumerate(zip(_nested_items(doc), credential.nested, strict=False), 1):
        label = f"nested credential {i} ({inner.title})"
        try:
            inner_checks = (
                vc_jwt.verify_signature(inner, ctx)
                if isinstance(item, str)
                else verify_document(item, ctx)
            )
        except WalletError as exc:
            inner_checks = [Check(SIGNATURE, CheckStatus.FAILED, exc.message)]
        # Named "signature" so the verdict rule applies: one bad or unchecked entry
        # makes the whole transcript invalid or unverifiable.
        checks.extend(Check(c.name, c.status, f"{label}: {c.detail}") for c in inner_checks)
    return checks
