"""W3C Verifiable Credentials 1.1/2.0 in JSON-LD, Open Badges 3.0 included.

``normalize_vc`` maps a VC object (also the payload of a VC-JWT) onto the wallet's model;
``verify_signature`` checks its Data Integrity proofs with bundled contexts only.
"""

from __future__ import annotations

from typing import Any

from wallet.errors import MalformedInput, WalletError
from wallet.jsonguard import load_json_object
from wallet.model import (
    SIGNATURE,
    Achievement,
    Alignment,
    Check,
    CheckStatus,
    Credential,
    Endorsement,
    Evidence,
    Issuer,
    Result,
    StatusRef,
    Subject,
)
from wallet.verify import dids, issuer_keys, suites
from wallet.verify.context import VerifyContext

FORMAT = "vc-jsonld"
MAX_ITEMS = 500
_SUBJECT_SKIP = frozenset(
    {"id", "type", "name", "achievement", "result", "creditsEarned", "term", "identifier", "source"}
)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_ITEMS:
        raise MalformedInput(f"more than {MAX_ITEMS} entries in one list")
    return items


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    """A display string from a string, a number or a JSON-LD language map/value object."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        if isinstance(value.get("@value"), str):
            return str(value["@value"])
        for lang in ("en", "en-US", "en-CA", "fr", "fr-CA"):
            if isinstance(value.get(lang), str):
                return str(value[lang])
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _types(value: Any) -> list[str]:
    return [t for t in _items(value) if isinstance(t, str)]


def normalize_issuer(value: Any) -> Issuer:
    if isinstance(value, str):
        return Issuer(id=value)
    d = _obj(value)
    return Issuer(
        id=_id(d),
        name=_text(d.get("name")),
        url=_text(d.get("url")) or _id(d.get("url")),
        image=_id(d.get("image")),
        email=_text(d.get("email")),
    )


def normalize_alignment(value: Any) -> Alignment:
    d = _obj(value)
    return Alignment(
        target_name=_text(d.get("targetName")),
        target_url=_text(d.get("targetUrl")),
        target_framework=_text(d.get("targetFramework")),
        target_code=_text(d.get("targetCode")),
        target_type=_text(d.get("targetType")),
        target_description=_text(d.get("targetDescription")),
    )


def _achievement(value: Any) -> Achievement | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    d = _obj(value)
    if not d:
        return Achievement(id=_id(value))
    criteria = _obj(d.get("criteria"))
    return Achievement(
        id=_id(d),
        name=_text(d.get("name")),
        description=_text(d.get("description")),
        achievement_type=_text(d.get("achievementType")),
        criteria_narrative=_text(criteria.get("narrative")),
        criteria_url=_id(criteria),
        credits_available=_number(d.get("creditsAvailable")),
        level=_text(d.get("level")) or _text(d.get("educationalLevel")),
        field_of_study=_text(d.get("fieldOfStudy")),
        specialization=_text(d.get("specialization")),
        human_code=_text(d.get("humanCode")),
        image=_id(d.get("image")),
        tags=tuple(t for t in (_text(x) for x in _items(d.get("tag"))) if t),
        alignments=tuple(normalize_alignment(a) for a in _items(d.get("alignment"))),
    )


def _results(subject: dict[str, Any], achievement: Any) -> tuple[Result, ...]:
    descriptions = {
        _id(rd): _text(_obj(rd).get("name"))
        for rd in _items(_obj(achievement).get("resultDescription"))
        if _id(rd)
    }
    results = []
    for item in _items(subject.get("result")):
        d = _obj(item)
        ref = _text(d.get("resultDescription"))
        results.append(
            Result(
                value=_text(d.get("value")),
                status=_text(d.get("status")),
                description=descriptions.get(ref, ref) if ref else None,
                achieved_level=_text(d.get("achievedLevel")),
            )
        )
    return tuple(results)


def normalize_evidence(value: Any) -> Evidence:
    d = _obj(value)
    if not d:
        return Evidence(id=_text(value))
    return Evidence(
        id=_id(d),
        name=_text(d.get("name")),
        narrative=_text(d.get("narrative")),
        description=_text(d.get("description")),
        genre=_text(d.get("genre")),
        audience=_text(d.get("audience")),
    )


def _endorsement(value: Any) -> Endorsement:
    d = _obj(value)
    subject = _obj(d.get("credentialSubject"))
    return Endorsement(
        issuer=normalize_issuer(d.get("issuer")),
        comment=_text(subject.get("endorsementComment")),
        issued=_text(d.get("validFrom") or d.get("issuanceDate")),
    )


def _status(value: Any) -> tuple[StatusRef, ...]:
    refs = []
    for item in _items(value):
        d = _obj(item)
        kind = _text(d.get("type")) or ""
        url = _text(d.get("statusListCredential"))
        if kind == "1EdTechRevocationList":
            url = _id(d)
        index = d.get("statusListIndex", 0)
        try:
            position = int(index)
        except (TypeError, ValueError):
            raise MalformedInput(f"status list index {index!r} is not a number") from None
        if url:
            purpose = _text(d.get("statusPurpose")) or "revocation"
            refs.append(StatusRef(kind, url, position, purpose))
    return tuple(refs)


def _subject(subject: dict[str, Any]) -> Subject:
    claims = []
    for key, value in subject.items():
        if key in _SUBJECT_SKIP or key.startswith("@"):
            continue
        text = _text(value)
        if text is not None:
            claims.append((key, text))
    return Subject(id=_id(subject), name=_text(subject.get("name")), claims=tuple(claims))


def normalize_vc(
    doc: dict[str, Any], *, fmt: str, raw: bytes, media_type: str = "application/json"
) -> Credential:
    if "@context" not in doc:
        raise MalformedInput("a JSON-LD credential needs an @context")
    types = _types(doc.get("type"))
    if "VerifiableCredential" not in types:
        raise MalformedInput("not a VerifiableCredential (type is missing VerifiableCredential)")
    subjects = _items(doc.get("credentialSubject"))
    subject = _obj(subjects[0]) if subjects else {}
    achievement = _achievement(subject.get("achievement"))
    title = (
        (achievement.name if achievement else None)
        or _text(doc.get("name"))
        or _text(subject.get("name"))
        or next((t for t in reversed(types) if t != "VerifiableCredential"), "Credential")
    )
    return Credential(
        format=fmt,
        raw=raw,
        title=title,
        description=_text(doc.get("description"))
        or (achievement.description if achievement else None),
        issuer=normalize_issuer(doc.get("issuer")),
        subject=_subject(subject),
        issued=_text(doc.get("validFrom")) or _text(doc.get("issuanceDate")),
        valid_from=_text(doc.get("validFrom")) or _text(doc.get("issuanceDate")),
        valid_until=_text(doc.get("validUntil")) or _text(doc.get("expirationDate")),
        achievement=achievement,
        credits_earned=_number(subject.get("creditsEarned")),
        term=_text(subject.get("term")),
        results=_results(subject, subject.get("achievement")),
        evidence=tuple(normalize_evidence(e) for e in _items(doc.get("evidence"))),
        endorsements=tuple(_endorsement(e) for e in _items(doc.get("endorsement"))),
        status=_status(doc.get("credentialStatus")),
        media_type=media_type,
        document=doc,
    )


def parse(data: bytes) -> Credential:
    return parse_parsed(data, load_json_object(data, what="credential"))


def parse_parsed(data: bytes, doc: object) -> Credential:
    """parse(data) from the document detection already read out of these exact bytes."""
    if not isinstance(doc, dict):
        return parse(data)
    return normalize_vc(doc, fmt=FORMAT, raw=data, media_type="application/vc+ld+json")


def issuer_id(doc: dict[str, Any]) -> str | None:
    return _id(doc.get("issuer"))


def verify_signature(credential: Credential, ctx: VerifyContext) -> list[Check]:
    doc = credential.document or load_json_object(credential.raw, what="credential")
    return verify_document(doc, ctx)


def signed_by_issuer(doc: dict[str, Any], issuer: str, ctx: VerifyContext) -> list[Check]:
    """The document's proofs, each ``passed`` only when its key is proven to belong to
    ``issuer`` (wallet.verify.issuer_keys); an unproven key leaves it ``not_checked``."""
    controller = issuer if issuer.startswith("did:") else None
    checks = suites.verify(doc, ctx, expected_controller=controller)
    try:
        proofs = suites.proofs_of(doc)
    except MalformedInput:
        return checks  # already a failed signature check
    unproven: dict[int, str] = {}
    for i, proof in enumerate(proofs):
        vm = proof.get("verificationMethod")
        vm = vm.get("id") if isinstance(vm, dict) else vm
        if not isinstance(vm, str):
            continue  # the suite fails a proof without a method
        try:
            issuer_keys.prove_method(vm, issuer, ctx, purpose="assertionMethod")
        except dids.KeyNotAvailable as exc:
            unproven[i] = f"{suites.suite_name(proof)}: {exc.message}"
        except WalletError:
            continue  # a key proven to be someone else's: the suite fails it too
    if not unproven:
        return checks
    positions = [i for i, c in enumerate(checks) if c.name == SIGNATURE]
    # One signature check per proof, in order; if that ever differs, no passed check
    # may stand while some proof's key is unproven.
    per_proof = len(positions) == len(proofs)
    fallback = next(iter(unproven.values()))
    out = list(checks)
    for n, pos in enumerate(positions):
        if out[pos].status is not CheckStatus.PASSED:
            continue
        why = unproven.get(n) if per_proof else fallback
        if why is not None:
            out[pos] = Check(SIGNATURE, CheckStatus.NOT_CHECKED, why)
    return out


def endorsement_checks(doc: dict[str, Any], ctx: VerifyContext) -> list[Check]:
    """Each embedded EndorsementCredential is a third party's signed statement: verified
    (its key proven to be the endorser's) ones are shown as such; any other is a
    warning, not the credential's fault."""
    checks = []
    for item in _items(doc.get("endorsement")):
        if not isinstance(item, dict):
            continue
        who = normalize_issuer(item.get("issuer"))
        label = who.name or who.id or "an endorser"
        if who.id is None:
            results = [Check(SIGNATURE, CheckStatus.NOT_CHECKED, "it names no endorser")]
        else:
            results = signed_by_issuer(item, who.id, ctx)
        if results and all(c.status is CheckStatus.PASSED for c in results):
            checks.append(
                Check("endorsement", CheckStatus.PASSED, f"endorsement by {label} verified")
            )
        else:
            why = next((c.detail for c in results if c.status is not CheckStatus.PASSED), "")
            checks.append(
                Check(
                    "endorsement",
                    CheckStatus.WARNING,
                    f"endorsement by {label} not verified: {why}",
                )
            )
    return checks


def verify_document(doc: dict[str, Any], ctx: VerifyContext) -> list[Check]:
    issuer = issuer_id(doc)
    if issuer is None:
        return [Check(SIGNATURE, CheckStatus.FAILED, "the credential names no issuer")]
    # The proof must come from the issuer: a key its DID document, its cached profile or
    # a did:web of its own origin proves to be its own (wallet.verify.issuer_keys).
    checks = signed_by_issuer(doc, issuer, ctx)
    checks.extend(endorsement_checks(doc, ctx))
    return checks
