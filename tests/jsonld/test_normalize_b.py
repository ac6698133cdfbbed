"""normalize_vc / parse on hand-written VC 1.1 and 2.0 shapes: dates, issuer forms, title
fallbacks, status entries and the refusals (no signature needed for any of this)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wallet.errors import MalformedInput, WalletError
from wallet.formats import vc_jsonld
from wallet.model import StatusRef

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"


def parse(doc: dict[str, Any]) -> Any:
    return vc_jsonld.parse(json.dumps(doc).encode())


def test_vc_1_1_dates_and_string_issuer() -> None:
    cred = parse(
        {
            "@context": [V1],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "issuer": "did:example:university",
            "issuanceDate": "2020-01-01T00:00:00Z",
            "expirationDate": "2030-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner", "degree": "BSc Physics"},
        }
    )
    assert cred.format == "vc-jsonld"
    assert cred.issuer.id == "did:example:university" and cred.issuer.name is None
    assert (cred.issued, cred.valid_from, cred.valid_until) == (
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00Z",
        "2030-01-01T00:00:00Z",
    )
    assert cred.title == "UniversityDegreeCredential"  # no achievement, no name: the type
    assert cred.subject.id == "did:example:learner"
    assert ("degree", "BSc Physics") in cred.subject.claims


def test_vc_2_0_dates_object_issuer_and_name_title() -> None:
    cred = parse(
        {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "name": "First Aid",
            "description": "Basic first aid",
            "issuer": {
                "id": "https://red.test/issuer",
                "name": "Red Test",
                "url": "https://red.test",
                "image": {"id": "https://red.test/logo.png", "type": "Image"},
            },
            "validFrom": "2024-02-01T00:00:00Z",
            "validUntil": "2026-02-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
        }
    )
    assert cred.title == "First Aid" and cred.description == "Basic first aid"
    assert cred.issuer.name == "Red Test" and cred.issuer.url == "https://red.test"
    assert cred.issuer.image == "https://red.test/logo.png"
    assert (cred.issued, cred.valid_until) == ("2024-02-01T00:00:00Z", "2026-02-01T00:00:00Z")
    assert cred.achievement is None and cred.status == ()


def test_achievement_name_wins_the_title() -> None:
    cred = parse(
        {
            "@context": [V2],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Badge wrapper",
            "issuer": "did:example:i",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "achievement": {
                    "id": "urn:uuid:a",
                    "name": "Welding Level 2",
                    "criteria": {"id": "https://i.test/criteria", "narrative": "Weld."},
                    "creditsAvailable": 5,
                    "tag": ["welding", "metal"],
                },
                "creditsEarned": "4.5",
            },
        }
    )
    assert cred.title == "Welding Level 2"
    a = cred.achievement
    assert a is not None
    assert (a.criteria_narrative, a.criteria_url) == ("Weld.", "https://i.test/criteria")
    assert a.credits_available == 5 and a.tags == ("welding", "metal")
    assert cred.credits_earned == 4.5


def test_all_three_status_entry_kinds() -> None:
    cred = parse(
        {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:i",
            "credentialSubject": {},
            "credentialStatus": [
                {
                    "id": "https://s.test/1#94567",
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "suspension",
                    "statusListIndex": "94567",
                    "statusListCredential": "https://s.test/1",
                },
                {
                    "id": "https://s.test/2#7",
                    "type": "StatusList2021Entry",
                    "statusPurpose": "revocation",
                    "statusListIndex": 7,
                    "statusListCredential": "https://s.test/2",
                },
                {"id": "https://s.test/revocations/3", "type": "1EdTechRevocationList"},
            ],
        }
    )
    assert cred.status == (
        StatusRef("BitstringStatusListEntry", "https://s.test/1", 94567, "suspension"),
        StatusRef("StatusList2021Entry", "https://s.test/2", 7, "revocation"),
        StatusRef("1EdTechRevocationList", "https://s.test/revocations/3", 0, "revocation"),
    )


@pytest.mark.parametrize(
    "doc",
    [
        {"type": ["VerifiableCredential"], "issuer": "x", "credentialSubject": {}},  # no @context
        {"@context": [V2], "type": ["Thing"], "issuer": "x", "credentialSubject": {}},
        {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "issuer": "x",
            "credentialSubject": {},
            "credentialStatus": {
                "type": "BitstringStatusListEntry",
                "statusListIndex": "seven",
                "statusListCredential": "https://s.test/1",
            },
        },
    ],
)
def test_refusals_are_malformed_input(doc: dict[str, Any]) -> None:
    with pytest.raises(MalformedInput):
        parse(doc)


@pytest.mark.parametrize("data", [b"", b"[]", b"null", b"{", b"\xff\xfe", b'{"a": NaN}', b"1e999"])
def test_not_json_objects_are_wallet_errors(data: bytes) -> None:
    with pytest.raises(WalletError):
        vc_jsonld.parse(data)
