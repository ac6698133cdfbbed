"""How VC-JWT (VC 1.1 and VC-JOSE) and SD-JWT VC claims land in the wallet's Credential."""

from __future__ import annotations

from typing import Any

import pytest

from tests.jose.conftest import ctx_with_issuers, new_p256
from wallet import engine
from wallet.errors import MalformedInput
from wallet.formats import registry
from wallet.issuer.samples import DemoIssuer
from wallet.model import CheckStatus, StatusRef, Verdict
from wallet.present import sdjwt as present_sd
from wallet.verify import jws
from wallet.verify.context import VerifyContext

ISSUER = DemoIssuer.ed25519("Mapping College", "https://mapping.test", "mapping-test")
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

ACHIEVEMENT: dict[str, Any] = {
    "id": "https://mapping.test/achievements/sql",
    "type": ["Achievement"],
    "achievementType": "Certificate",
    "name": "SQL for Analysts",
    "description": "Joins, windows and indexes.",
    "criteria": {"narrative": "Pass the final project."},
    "creditsAvailable": 4,
    "fieldOfStudy": "Data Science",
    "alignment": [
        {
            "type": ["Alignment"],
            "targetName": "Use SQL",
            "targetFramework": "ESCO",
            "targetCode": "S5.6.1",
            "targetUrl": "https://esco.example/skill/sql",
        }
    ],
}


def _subject() -> dict[str, Any]:
    return {"type": ["AchievementSubject"], "achievement": ACHIEVEMENT}


def _sign(payload: dict[str, Any], **headers: Any) -> str:
    return jws.sign_compact(
        payload, ISSUER.key, headers={"kid": ISSUER.verification_method, **headers}
    )


def test_vc11_registered_claims_become_vc_properties() -> None:
    payload = {
        "iss": ISSUER.did,
        "sub": "did:example:learner",
        "nbf": 1767225600,  # 2026-01-01
        "exp": 1893456000,  # 2030-01-01
        "jti": "urn:uuid:5f3c",
        "vc": {
            "@context": ["https://www.w3.org/2018/credentials/v1", OB3_CONTEXT],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "credentialSubject": _subject(),
            "evidence": [{"id": "https://mapping.test/evidence/1", "name": "Final project"}],
        },
    }
    credential = registry.parse(_sign(payload).encode())
    assert credential.format == "vc-jwt"
    assert credential.issuer.id == ISSUER.did
    assert credential.subject.id == "did:example:learner"
    assert (credential.valid_from or "").startswith("2026-01-01T00:00:00")
    assert (credential.valid_until or "").startswith("2030-01-01T00:00:00")
    achievement = credential.achievement
    assert achievement is not None
    assert achievement.name == "SQL for Analysts"
    assert achievement.achievement_type == "Certificate"
    assert achievement.criteria_narrative == "Pass the final project."
    assert achievement.credits_available == 4
    assert achievement.field_of_study == "Data Science"
    (alignment,) = achievement.alignments
    assert (alignment.target_name, alignment.target_framework, alignment.target_code) == (
        "Use SQL",
        "ESCO",
        "S5.6.1",
    )
    assert alignment.target_url == "https://esco.example/skill/sql"
    assert [e.name for e in credential.evidence] == ["Final project"]


def test_expired_vc_jwt_fails_the_validity_period_not_the_signature() -> None:
    payload = {
        "iss": ISSUER.did,
        "nbf": 1577836800,  # 2020
        "exp": 1609459200,  # 2021
        "vc": {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"],
            "credentialSubject": _subject(),
        },
    }
    report = engine.verify_credential(registry.parse(_sign(payload).encode()), VerifyContext())
    assert report.check("signature").status is CheckStatus.PASSED  # type: ignore[union-attr]
    assert report.check("validity_period").status is CheckStatus.FAILED  # type: ignore[union-attr]
    assert report.verdict is Verdict.INVALID


def test_vc_jose_status_entry_becomes_a_status_ref() -> None:
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2", OB3_CONTEXT],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER.did, "name": "Mapping College"},
        "validFrom": "2026-02-01T00:00:00Z",
        "credentialSubject": _subject(),
        "credentialStatus": {
            "id": "https://mapping.test/status/3#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://mapping.test/status/3",
        },
    }
    credential = registry.parse(_sign(doc, typ="vc+jwt").encode())
    assert credential.media_type == "application/vc+jwt"
    assert credential.issuer.name == "Mapping College"
    assert credential.valid_from == "2026-02-01T00:00:00Z"
    (ref,) = credential.status
    assert (ref.list_url, ref.index, ref.purpose) == (
        "https://mapping.test/status/3",
        94567,
        "revocation",
    )


def test_sd_jwt_vc_claims_and_token_status_list() -> None:
    issuer_key, issuer_jwk = new_p256()
    iss = "https://sd-mapping.test"
    claims = {
        "vct": "https://sd-mapping.test/vct/diploma",
        "name": "Diploma in Data",
        "description": "Two years.",
        "sub": "learner-7",
        "given_name": "Sam",
        "family_name": "Learner",
        "nbf": 1767225600,
        "exp": 1893456000,
        "status": {"status_list": {"idx": 412, "uri": "https://sd-mapping.test/statuslists/1"}},
        "degree": {"type": "Diploma", "field": "Data"},
        "nationalities": ["CA", "FR"],
    }
    text = present_sd.issue(
        claims,
        ["given_name", "degree.type", "nationalities.1"],
        issuer_key,
        iss=iss,
        iat=1767225000,
    )
    credential = registry.parse(text.encode())
    assert credential.format == "sd-jwt"
    assert credential.title == "Diploma in Data"
    assert credential.description == "Two years."
    assert credential.issuer.id == iss
    assert credential.subject.id == "learner-7"
    assert credential.subject.name == "Sam Learner"
    assert (credential.valid_from or "").startswith("2026-01-01T00:00:00")
    assert (credential.valid_until or "").startswith("2030-01-01T00:00:00")
    assert credential.status == (
        StatusRef("TokenStatusList", "https://sd-mapping.test/statuslists/1", 412),
    )
    assert set(credential.disclosable) == {"/given_name", "/degree/type", "/nationalities/1"}
    assert credential.holder_jwk is None
    report = engine.verify_credential(credential, ctx_with_issuers({iss: issuer_jwk}))
    assert report.check("signature").status is CheckStatus.PASSED  # type: ignore[union-attr]


@pytest.mark.parametrize("idx", [-1, "3", True, 1.5])
def test_sd_jwt_vc_bad_status_index_is_malformed(idx: Any) -> None:
    issuer_key, _ = new_p256()
    text = present_sd.issue(
        {"status": {"status_list": {"idx": idx, "uri": "https://x.test/sl"}}, "a": 1},
        ["a"],
        issuer_key,
        iss="https://x.test",
    )
    with pytest.raises(MalformedInput, match="idx"):
        registry.parse(text.encode())
