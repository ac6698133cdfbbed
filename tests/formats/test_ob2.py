from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from wallet.engine import verify_credential
from wallet.errors import MalformedInput, UnsupportedInput
from wallet.formats import baking, ob2, registry
from wallet.model import SIGNATURE, STATUS, CheckStatus, Verdict
from wallet.verify.context import MemoryCache, TrustEntry, TrustList, VerifyContext

HEART_ID = "https://example.org/beths-robotics-badge.json"
HEART_BADGE = "https://example.org/robotics-badge.json"


def _ctx(kit, docs: dict[str, bytes] | None = None, trust: tuple[str, ...] = ()) -> VerifyContext:
    return VerifyContext(
        cache=kit.cache_of(docs or {}),
        trust=TrustList(tuple(TrustEntry(t, "t") for t in trust)),
        now=kit.NOW,
    )


def _linked(kit) -> dict[str, bytes]:
    return {
        kit.BADGE: kit.to_bytes(kit.badge_class()),
        kit.ISSUER: kit.to_bytes(kit.issuer_profile()),
    }


# -- parsing ----------------------------------------------------------------------------------


def test_baked_heart_parses(baked_heart: bytes) -> None:
    cred = registry.parse(baked_heart)
    assert cred.format == "ob2"
    assert cred.title == "Open Badge (badge details not available)"
    assert cred.issuer.id is None  # the badge class is only a URL
    assert cred.achievement is not None and cred.achievement.id == HEART_BADGE
    claims = dict(cred.subject.claims)
    assert claims["recipient.type"] == "email"
    assert claims["recipient.hashed"] == "true"
    assert claims["recipient.salt"] == "deadsea"
    assert claims["recipient.identity"].startswith("sha256$c7ef8640")
    assert cred.subject.id is None
    assert cred.issued == "2016-12-31T23:59:59Z"
    assert cred.raw == baking.unbake(baked_heart)
    assert cred.evidence[0].id == "https://example.org/beths-robot-work.html"


def test_embedded_badge_and_issuer_are_normalized(kit) -> None:
    doc = kit.assertion(
        badge=kit.badge_class(issuer=kit.issuer_profile()), expires="2030-01-01T00:00:00Z"
    )
    cred = ob2.parse(kit.to_bytes(doc))
    assert cred.title == "Robotics Fundamentals"
    assert cred.description == "Built and programmed a line-following robot."
    assert cred.issuer.name == "Example College"
    assert cred.issuer.id == kit.ISSUER
    assert cred.issuer.email == "badges@example.edu"
    assert cred.issuer.url == "https://badges.example.edu"
    assert cred.valid_until == "2030-01-01T00:00:00Z"
    ach = cred.achievement
    assert ach is not None
    assert ach.criteria_narrative == "Pass the lab."
    assert ach.criteria_url == "https://badges.example.edu/criteria"
    assert ach.tags == ("robotics", "stem")
    assert ach.alignments[0].target_code == "S1.2"
    assert ach.alignments[0].is_esco
    assert dict(cred.subject.claims)["narrative"] == "Led the team build."
    assert cred.evidence[0].narrative == "Video of the run."
    assert cred.status[0].type == "OB2RevocationList"
    assert cred.status[0].list_url == "https://badges.example.edu/revocations.json"


def test_endorsements_are_read(kit) -> None:
    endorsement = {
        "type": "Endorsement",
        "issuer": {"id": "https://guild.example/", "name": "Robot Guild"},
        "claim": {"id": kit.BADGE, "endorsementComment": "A solid badge."},
        "issuedOn": "2026-02-01T00:00:00Z",
    }
    badge = dict(kit.badge_class(), endorsement=[endorsement, "https://guild.example/e/2"])
    cred = ob2.parse(kit.to_bytes(kit.assertion(badge=badge)))
    assert len(cred.endorsements) == 1
    assert cred.endorsements[0].comment == "A solid badge."
    assert cred.endorsements[0].issuer.name == "Robot Guild"


def test_plain_recipient_is_the_subject_id(kit) -> None:
    doc = kit.assertion(recipient={"type": "email", "hashed": False, "identity": "a@b.example"})
    assert ob2.parse(kit.to_bytes(doc)).subject.id == "a@b.example"


def test_linked_documents_fill_in_from_cache(kit) -> None:
    cred = ob2.parse(kit.to_bytes(kit.assertion()))
    assert cred.title.startswith("Open Badge")
    full = registry.with_linked_documents(cred, _ctx(kit, _linked(kit)))
    assert full.title == "Robotics Fundamentals"
    assert full.issuer.name == "Example College"
    assert full.status and full.status[0].type == "OB2RevocationList"
    assert full.document == cred.document and full.raw == cred.raw


@pytest.mark.parametrize(
    "doc",
    [
        {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "recipient": {}},
        {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "badge": "x"},
    ],
)
def test_incomplete_assertion_refused(doc: dict) -> None:
    with pytest.raises(MalformedInput, match="needs a badge and a recipient"):
        ob2.parse(json.dumps(doc).encode())


def test_non_ob2_refused() -> None:
    with pytest.raises(UnsupportedInput):
        ob2.parse(b'{"type": ["VerifiableCredential"]}')


# -- hosted verification ----------------------------------------------------------------------


def test_baked_heart_is_unverifiable_offline(baked_heart: bytes, kit) -> None:
    report = verify_credential(registry.parse(baked_heart), _ctx(kit))
    sig = report.check(SIGNATURE)
    assert sig is not None and sig.status is CheckStatus.NOT_CHECKED
    assert "not checked offline" in sig.detail
    assert report.verdict is Verdict.UNVERIFIABLE


def _heart_cache(baked_heart: bytes, kit, hosted: bytes | None = None) -> dict[str, bytes]:
    profile = {
        "@context": kit.OB2,
        "type": "Issuer",
        "id": "https://example.org/issuer.json",
        "name": "Example Robotics Club",
    }
    badge = {
        "@context": kit.OB2,
        "type": "BadgeClass",
        "id": HEART_BADGE,
        "name": "Robotics",
        "description": "d",
        "issuer": profile["id"],
    }
    return {
        HEART_ID: hosted if hosted is not None else baking.unbake(baked_heart),
        HEART_BADGE: kit.to_bytes(badge),
        profile["id"]: kit.to_bytes(profile),
    }


def test_cached_hosted_assertion_makes_it_pass(baked_heart: bytes, kit) -> None:
    ctx = _ctx(kit, _heart_cache(baked_heart, kit), trust=("https://example.org",))
    report = verify_credential(registry.parse(baked_heart), ctx)
    sig = report.check(SIGNATURE)
    assert sig is not None and sig.status is CheckStatus.PASSED
    assert "fetched 2026-11-18, 2 days ago" in sig.detail
    assert report.verdict is Verdict.VALID


def test_hosted_copy_compared_semantically(baked_heart: bytes, kit) -> None:
    reformatted = json.dumps(json.loads(baking.unbake(baked_heart))).encode()
    ctx = _ctx(kit, _heart_cache(baked_heart, kit, hosted=reformatted))
    assert verify_credential(registry.parse(baked_heart), ctx).check(SIGNATURE).status is (
        CheckStatus.PASSED
    )


def test_hosted_copy_that_differs_fails(baked_heart: bytes, kit) -> None:
    doc = json.loads(baking.unbake(baked_heart))
    doc["issuedOn"] = "2017-01-01T00:00:00Z"
    ctx = _ctx(kit, _heart_cache(baked_heart, kit, hosted=json.dumps(doc).encode()))
    report = verify_credential(registry.parse(baked_heart), ctx)
    assert report.check(SIGNATURE).status is CheckStatus.FAILED
    assert "differs from the issuer's hosted copy" in report.check(SIGNATURE).detail
    assert report.verdict is Verdict.INVALID


def test_hosted_copy_marked_revoked(baked_heart: bytes, kit) -> None:
    cached = json.loads(baking.unbake(baked_heart))
    cached.update(revoked=True, revocationReason="issued in error")
    docs = _heart_cache(baked_heart, kit, hosted=json.dumps(cached).encode())
    report = verify_credential(registry.parse(baked_heart), _ctx(kit, docs))
    assert report.check(SIGNATURE).status is CheckStatus.PASSED
    revoked = [c for c in report.checks if c.name == STATUS and c.status is CheckStatus.FAILED]
    assert revoked and revoked[0].detail.endswith(": issued in error")
    assert report.verdict is Verdict.INVALID


def test_hosted_elsewhere_than_issuer_fails(kit) -> None:
    doc = kit.assertion(id="https://evil.example/a.json")
    data = kit.to_bytes(doc)
    docs = dict(_linked(kit), **{"https://evil.example/a.json": data})
    report = verify_credential(ob2.parse(data), _ctx(kit, docs))
    assert report.check(SIGNATURE).status is CheckStatus.FAILED
    assert "not hosted where issuer" in report.check(SIGNATURE).detail


def test_hosted_without_issuer_profile_not_checked(kit) -> None:
    data = kit.to_bytes(kit.assertion())
    report = verify_credential(ob2.parse(data), _ctx(kit, {kit.ASSERTION: data}))
    assert report.check(SIGNATURE).status is CheckStatus.NOT_CHECKED
    assert report.verdict is Verdict.UNVERIFIABLE


def test_allowed_origins_policy(kit) -> None:
    profile = dict(kit.issuer_profile(), verification={"allowedOrigins": ["cdn.example.net"]})
    doc = kit.assertion(id="https://cdn.example.net/a/1.json")
    data = kit.to_bytes(doc)
    docs = {
        kit.BADGE: kit.to_bytes(kit.badge_class()),
        kit.ISSUER: kit.to_bytes(profile),
        "https://cdn.example.net/a/1.json": data,
    }
    assert verify_credential(ob2.parse(data), _ctx(kit, docs)).check(SIGNATURE).status is (
        CheckStatus.PASSED
    )


def test_ob2_revocation_list(kit) -> None:
    data = kit.to_bytes(kit.assertion())
    revoked = {
        "type": "RevocationList",
        "id": "https://badges.example.edu/revocations.json",
        "revokedAssertions": [{"id": kit.ASSERTION, "revocationReason": "cheating"}],
    }
    docs = dict(
        _linked(kit),
        **{
            kit.ASSERTION: data,
            "https://badges.example.edu/revocations.json": kit.to_bytes(revoked),
        },
    )
    report = verify_credential(ob2.parse(data), _ctx(kit, docs, trust=(kit.ISSUER,)))
    status = report.check(STATUS)
    assert status.status is CheckStatus.FAILED
    assert status.detail == "revoked (list fetched 2026-11-18, 2 days ago); reason: cheating"
    assert report.verdict is Verdict.INVALID
    revoked["revokedAssertions"] = ["urn:uuid:someone-else"]
    docs["https://badges.example.edu/revocations.json"] = kit.to_bytes(revoked)
    report = verify_credential(ob2.parse(data), _ctx(kit, docs, trust=(kit.ISSUER,)))
    assert report.check(STATUS).status is CheckStatus.PASSED
    assert report.verdict is Verdict.VALID


# -- signed verification ----------------------------------------------------------------------


def _signed(kit, signer, **extra) -> bytes:
    doc = kit.assertion(verification={"type": "SignedBadge", "creator": kit.KEY}, **extra)
    return signer.sign(doc)


def _signed_docs(kit, signer, owner: str | None = None) -> dict[str, bytes]:
    return dict(_linked(kit), **{kit.KEY: kit.to_bytes(signer.key_doc(owner or kit.ISSUER))})


def test_signed_assertion_verifies(kit, signer) -> None:
    token = _signed(kit, signer)
    cred = registry.parse(token)
    assert cred.format == "ob2-signed"
    assert cred.raw == token
    report = verify_credential(cred, _ctx(kit, _signed_docs(kit, signer), trust=(kit.ISSUER,)))
    assert report.check(SIGNATURE).status is CheckStatus.PASSED
    assert "RS256" in report.check(SIGNATURE).detail
    assert report.verdict is Verdict.VALID


def test_signed_assertion_baked_round_trip(kit, signer, heart: bytes, svg: bytes) -> None:
    token = _signed(kit, signer)
    for baked in (baking.bake_png(heart, token), baking.bake_svg(svg, token)):
        cred = registry.parse(baked)
        assert cred.format == "ob2-signed" and cred.raw == token
        report = verify_credential(cred, _ctx(kit, _signed_docs(kit, signer)))
        assert report.check(SIGNATURE).status is CheckStatus.PASSED


def test_tampered_signed_assertion_fails(kit, signer) -> None:
    token = _signed(kit, signer).decode()
    header, payload, sig = token.split(".")
    doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    doc["issuedOn"] = "2020-01-01T00:00:00Z"
    forged = base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()
    cred = registry.parse(f"{header}.{forged}.{sig}".encode())
    report = verify_credential(cred, _ctx(kit, _signed_docs(kit, signer)))
    assert report.check(SIGNATURE).status is CheckStatus.FAILED
    assert report.verdict is Verdict.INVALID


def test_signed_with_another_key_fails(kit, signer, other_signer) -> None:
    cred = registry.parse(_signed(kit, other_signer))
    report = verify_credential(cred, _ctx(kit, _signed_docs(kit, signer)))
    assert report.check(SIGNATURE).status is CheckStatus.FAILED


def test_key_of_another_owner_fails(kit, signer) -> None:
    cred = registry.parse(_signed(kit, signer))
    docs = _signed_docs(kit, signer, owner="https://someone-else.example/issuer")
    report = verify_credential(cred, _ctx(kit, docs))
    assert report.check(SIGNATURE).status is CheckStatus.FAILED
    assert "belongs to" in report.check(SIGNATURE).detail


def test_key_not_cached_is_not_checked(kit, signer) -> None:
    report = verify_credential(registry.parse(_signed(kit, signer)), _ctx(kit, _linked(kit)))
    assert report.check(SIGNATURE).status is CheckStatus.NOT_CHECKED
    assert report.verdict is Verdict.UNVERIFIABLE


def test_alg_none_and_hmac_refused(kit, signer) -> None:
    token = _signed(kit, signer).decode()
    _, payload, _ = token.split(".")
    for alg in ("none", "HS256"):
        header = base64.urlsafe_b64encode(json.dumps({"alg": alg}).encode()).rstrip(b"=").decode()
        cred = registry.parse(f"{header}.{payload}.".encode())
        report = verify_credential(cred, _ctx(kit, _signed_docs(kit, signer)))
        assert report.check(SIGNATURE).status is CheckStatus.FAILED
        assert "not allowed" in report.check(SIGNATURE).detail


def test_expired_signed_assertion_is_invalid(kit, signer) -> None:
    cred = registry.parse(_signed(kit, signer, expires="2026-06-01T00:00:00Z"))
    report = verify_credential(cred, _ctx(kit, _signed_docs(kit, signer), trust=(kit.ISSUER,)))
    assert report.check(SIGNATURE).status is CheckStatus.PASSED
    assert report.check("validity_period").detail == "expired on 2026-06-01 00:00 UTC"
    assert report.verdict is Verdict.INVALID


def test_stale_cache_still_verifies_with_age(kit, signer) -> None:
    docs = _signed_docs(kit, signer)
    ctx = VerifyContext(cache=kit.cache_of(docs, kit.NOW - timedelta(days=400)), now=kit.NOW)
    report = verify_credential(registry.parse(_signed(kit, signer)), ctx)
    assert report.check(SIGNATURE).status is CheckStatus.PASSED
    assert isinstance(ctx.cache, MemoryCache)


# -- impersonation attempts ---------------------------------------------------------------------


def test_embedded_profile_cannot_widen_allowed_origins(kit) -> None:
    # A badge made by evil.example that names a trusted issuer id and, in its own embedded
    # profile, "allows" evil.example to host assertions.
    profile = dict(kit.issuer_profile(), verification={"allowedOrigins": ["evil.example"]})
    url = "https://evil.example/a.json"
    data = kit.to_bytes(kit.assertion(id=url, badge=kit.badge_class(issuer=profile)))
    report = verify_credential(ob2.parse(data), _ctx(kit, {url: data}, trust=(kit.ISSUER,)))
    assert report.check(SIGNATURE).status is CheckStatus.FAILED
    assert report.verdict is Verdict.INVALID


def test_key_claiming_an_owner_elsewhere_is_refused(kit, other_signer) -> None:
    evil_key = "https://evil.example/key.json"
    doc = kit.assertion(verification={"type": "SignedBadge", "creator": evil_key})
    token = other_signer.sign(doc)
    key_doc = dict(other_signer.key_doc(), id=evil_key)  # owner: the real issuer
    docs = dict(_linked(kit), **{evil_key: kit.to_bytes(key_doc)})
    report = verify_credential(registry.parse(token), _ctx(kit, docs, trust=(kit.ISSUER,)))
    assert report.check(SIGNATURE).status is CheckStatus.FAILED
    assert "not published by issuer" in report.check(SIGNATURE).detail


def test_key_listed_in_hosted_profile_may_live_elsewhere(kit, signer) -> None:
    cdn_key = "https://keys.cdn.example/k1.json"
    doc = kit.assertion(verification={"type": "SignedBadge", "creator": cdn_key})
    profile = dict(kit.issuer_profile(), publicKey=[cdn_key])
    docs = {
        kit.BADGE: kit.to_bytes(kit.badge_class()),
        kit.ISSUER: kit.to_bytes(profile),
        cdn_key: kit.to_bytes(dict(signer.key_doc(), id=cdn_key)),
    }
    report = verify_credential(registry.parse(signer.sign(doc)), _ctx(kit, docs))
    assert report.check(SIGNATURE).status is CheckStatus.PASSED


@pytest.mark.filterwarnings("ignore:Key size should be")
def test_weak_rsa_key_refused(kit) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak_signer = kit.Signer(
        weak.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        weak.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )
    cred = registry.parse(_signed(kit, weak_signer))
    report = verify_credential(cred, _ctx(kit, _signed_docs(kit, weak_signer)))
    assert report.check(SIGNATURE).status is CheckStatus.FAILED
    assert "1024-bit RSA key" in report.check(SIGNATURE).detail
