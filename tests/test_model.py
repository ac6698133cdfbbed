from __future__ import annotations

from wallet.model import (
    Achievement,
    Alignment,
    Check,
    CheckStatus,
    Credential,
    Issuer,
    StatusRef,
    Verdict,
    VerificationReport,
)

P, F, W, N = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.WARNING, CheckStatus.NOT_CHECKED


def report(**checks: CheckStatus) -> VerificationReport:
    return VerificationReport(tuple(Check(name, status) for name, status in checks.items()))


def test_verdict_rule() -> None:
    assert report(signature=P, validity_period=P, status=P, issuer_trust=P).verdict is Verdict.VALID
    assert report(signature=P, status=W, issuer_trust=P).verdict is Verdict.VALID
    assert report(signature=P, issuer_trust=W).verdict is Verdict.VALID_UNTRUSTED_ISSUER
    assert report(signature=P, status=F, issuer_trust=P).verdict is Verdict.INVALID
    assert report(signature=F, issuer_trust=P).verdict is Verdict.INVALID
    assert report(signature=N, issuer_trust=P).verdict is Verdict.UNVERIFIABLE
    assert report(issuer_trust=P).verdict is Verdict.UNVERIFIABLE
    # A failure anywhere wins over a signature that could not be checked.
    assert report(signature=N, validity_period=F).verdict is Verdict.INVALID


def test_report_round_trips_through_dict() -> None:
    original = VerificationReport(
        (Check("signature", P, "eddsa-rdfc-2022"),), "2026-01-01T00:00:00+00:00"
    )
    assert VerificationReport.from_dict(original.to_dict()) == original
    assert original.to_dict()["verdict"] == "valid_untrusted_issuer"  # no trust check


def test_credential_round_trips_through_dict_with_exact_bytes() -> None:
    raw = bytes(range(256))
    cred = Credential(
        format="vc-jsonld",
        raw=raw,
        title="Data Analysis",
        issuer=Issuer(id="did:key:z6Mk", name="College"),
        achievement=Achievement(
            name="Data Analysis",
            alignments=(
                Alignment(
                    target_name="analyse data", target_url="http://data.europa.eu/esco/skill/abc"
                ),
            ),
            tags=("data",),
        ),
        status=(StatusRef("BitstringStatusListEntry", "https://x/list", 7),),
        disclosable=("name",),
        nested=(Credential(format="vc-jsonld", raw=b"x", title="inner"),),
    )
    again = Credential.from_dict(cred.to_dict())
    assert again == cred
    assert again.raw == raw
    assert again.achievement is not None and again.achievement.alignments[0].is_esco
