"""An SD-JWT VC's common claims in the normalized model, as Open Badges are mapped:
grade -> a result, skills -> alignments, credits, term, course code; only what is disclosed."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from wallet.formats import registry, sdjwt
from wallet.issuer.demo import COLLEGE, sample_credentials
from wallet.model import Credential
from wallet.present import sdjwt as present_sd
from wallet.render import framework_components
from wallet.verify import keys

HOLDER = ed25519.Ed25519PrivateKey.generate()
HOLDER_JWK = keys.jwk_from_public_key(HOLDER.public_key())
SKILLS = ["forecast demand", "optimise inventory", "use spreadsheets software"]


def demo_sd_jwt() -> bytes:
    sd = [
        data
        for label, data in sample_credentials("did:key:zholder", HOLDER_JWK)
        if "SD-JWT" in label
    ]
    assert len(sd) == 1
    return sd[0]


def presented(disclose: list[str]) -> Credential:
    """The credential as a verifier sees it after the holder disclosed ``disclose``."""
    text = present_sd.present(
        demo_sd_jwt().decode("ascii"), disclose, HOLDER, audience="Acme", nonce="K7QF-2M9X"
    )
    sd = sdjwt.split(text)
    return sdjwt.to_credential(sd, sdjwt.process(sd), text.encode("ascii"))


def components(c: Credential) -> dict[str, tuple[str, ...]]:
    return {comp.name: comp.lines for comp in framework_components(c)}


def test_the_demo_sd_jwt_normalizes_with_grade_skills_credits_and_term() -> None:
    c = registry.parse(demo_sd_jwt())
    assert c.format == "sd-jwt"
    assert [(r.description, r.value) for r in c.results] == [("Grade", "B+")]
    assert c.credits_earned == 2.0
    assert c.term == "Fall 2026"
    assert c.achievement is not None
    assert c.achievement.name == "Supply Chain Analytics (micro-credential)"
    assert c.achievement.human_code == "SCA-210"
    assert [a.target_name for a in c.achievement.alignments] == SKILLS
    shown = components(c)
    assert shown["Summative assessment"] == ("Result: Grade / B+",)
    assert shown["Competencies / skills"] == tuple(SKILLS)
    assert shown["Transcriptable"] == ("Credits earned: 2", "Code: SCA-210", "Term: Fall 2026")
    # Unchanged: the pointers a holder discloses, and the subject claims search reads.
    assert "/skills/1" in c.disclosable and "/grade" in c.disclosable
    assert ("/skills/1", '"optimise inventory"') in c.subject.claims
    assert c.subject.name == "Alex Learner"


def test_only_the_disclosed_claims_are_mapped() -> None:
    c = presented(["/grade", "/skills/1"])
    assert [r.value for r in c.results] == ["B+"]
    assert c.achievement is not None
    assert [a.target_name for a in c.achievement.alignments] == ["optimise inventory"]
    # Withheld: nothing of them reaches the normalized credential.
    assert c.credits_earned is None and c.term is None
    assert c.achievement.human_code is None
    assert c.subject.name is None
    assert components(c)["Transcriptable"] == ()


def test_nothing_disclosed_maps_no_assessment_or_skills() -> None:
    c = presented([])
    assert c.results == () and c.credits_earned is None and c.term is None
    # The name is signed in the clear: it is still the achievement's.
    assert c.achievement is not None and c.achievement.alignments == ()
    assert c.achievement.name == "Supply Chain Analytics (micro-credential)"


def issue(claims: dict[str, Any]) -> Credential:
    text = present_sd.issue(claims, list(claims), COLLEGE.key, iss=COLLEGE.did)
    return registry.parse(text.encode("ascii"))


def test_result_objects_skill_objects_and_credit_hours() -> None:
    c = issue(
        {
            "title": "Forklift Safety",
            "description": "Operates a counterbalance forklift safely.",
            "result": {"value": "pass", "status": "completed"},
            "skills": [
                {
                    "name": "operate forklift",
                    "url": "http://data.europa.eu/esco/skill/a6b8b8c0",
                    "code": "a6b8b8c0",
                },
                "",
                17,
            ],
            "credit_hours": "1.5",
        }
    )
    assert c.title == "Forklift Safety"
    assert [(r.value, r.status) for r in c.results] == [("pass", "completed")]
    assert c.credits_earned == 1.5
    assert c.achievement is not None
    (skill,) = c.achievement.alignments  # an empty name and a number are no skills
    assert skill.target_name == "operate forklift" and skill.is_esco
    assert components(c)["Competencies / skills"] == (
        "operate forklift [a6b8b8c0] (ESCO) <http://data.europa.eu/esco/skill/a6b8b8c0>",
    )
    assert components(c)["Outcomes"] == ("Operates a counterbalance forklift safely.",)


def test_claims_of_the_wrong_type_are_not_mapped() -> None:
    c = issue({"name": "X", "grade": ["A"], "credits": True, "term": 7, "skills": "one skill"})
    assert c.results == ()
    assert c.credits_earned is None  # a boolean is no number of credits
    assert c.term == "7"
    assert c.achievement is not None
    assert [a.target_name for a in c.achievement.alignments] == ["one skill"]
