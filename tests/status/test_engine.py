from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wallet import engine
from wallet.errors import MalformedInput, UnsupportedInput
from wallet.formats import registry
from wallet.model import (
    SIGNATURE,
    STATUS,
    VALIDITY_PERIOD,
    Check,
    CheckStatus,
    Credential,
    Issuer,
    Verdict,
)
from wallet.verify.context import TrustEntry, TrustList, VerifyContext
from wallet.verify.period import check_validity_period, parse_datetime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ISSUER = "did:example:issuer"


def _cred(**kw) -> Credential:
    base = {"format": "vc-jsonld", "raw": b"{}", "title": "t", "issuer": Issuer(id=ISSUER)}
    base.update(kw)
    return Credential(**base)


def _ctx(trusted: bool = True) -> VerifyContext:
    trust = TrustList((TrustEntry(ISSUER, "Issuer"),)) if trusted else TrustList()
    return VerifyContext(trust=trust, now=NOW)


@pytest.fixture
def signature(monkeypatch):
    """Stand in for the format module's signature check (tested with each format)."""
    result: list[Check] = [Check(SIGNATURE, CheckStatus.PASSED, "ok")]

    def fake(credential, ctx):
        if isinstance(result[0], Exception):
            raise result[0]
        return list(result)

    monkeypatch.setattr(registry, "verify_signature", fake)
    return result


def test_valid(signature) -> None:
    report = engine.verify_credential(_cred(issued="2026-01-01T00:00:00Z"), _ctx())
    assert report.verdict is Verdict.VALID
    assert report.verified_at == "2026-11-20T12:00:00+00:00"
    assert [c.name for c in report.checks] == [SIGNATURE, VALIDITY_PERIOD, STATUS, "issuer_trust"]


def test_expired_is_invalid(signature) -> None:
    report = engine.verify_credential(_cred(valid_until="2026-11-01T00:00:00Z"), _ctx())
    assert report.check(VALIDITY_PERIOD).detail == "expired on 2026-11-01 00:00 UTC"
    assert report.verdict is Verdict.INVALID


def test_not_yet_valid_is_invalid(signature) -> None:
    report = engine.verify_credential(_cred(valid_from="2027-01-01T00:00:00+01:00"), _ctx())
    assert report.check(VALIDITY_PERIOD).detail.startswith("not yet valid (valid from 2026-12-31")
    assert report.verdict is Verdict.INVALID


def test_issued_in_future_within_skew_is_fine(signature) -> None:
    report = engine.verify_credential(_cred(issued="2026-11-20T12:02:00Z"), _ctx())
    assert report.check(VALIDITY_PERIOD).status is CheckStatus.PASSED


def test_unparsable_dates_fail(signature) -> None:
    for kw in ({"valid_until": "next tuesday"}, {"issued": "2026-13-45"}):
        report = engine.verify_credential(_cred(**kw), _ctx())
        assert report.check(VALIDITY_PERIOD).status is CheckStatus.FAILED
        assert report.verdict is Verdict.INVALID


def test_untrusted_issuer(signature) -> None:
    report = engine.verify_credential(_cred(), _ctx(trusted=False))
    assert report.verdict is Verdict.VALID_UNTRUSTED_ISSUER


def test_unchecked_signature_is_unverifiable(signature) -> None:
    signature[0] = Check(SIGNATURE, CheckStatus.NOT_CHECKED, "key not cached")
    assert engine.verify_credential(_cred(), _ctx()).verdict is Verdict.UNVERIFIABLE


def test_failed_signature_is_invalid(signature) -> None:
    signature[0] = Check(SIGNATURE, CheckStatus.FAILED, "bad")
    assert engine.verify_credential(_cred(), _ctx()).verdict is Verdict.INVALID


def test_format_errors_become_checks(signature) -> None:
    signature[0] = UnsupportedInput("suite not supported")  # type: ignore[call-overload]
    report = engine.verify_credential(_cred(), _ctx())
    assert report.check(SIGNATURE).status is CheckStatus.NOT_CHECKED
    signature[0] = MalformedInput("proof is garbage")  # type: ignore[call-overload]
    report = engine.verify_credential(_cred(), _ctx())
    assert report.check(SIGNATURE).status is CheckStatus.FAILED
    assert report.verdict is Verdict.INVALID


def test_unknown_format_is_unverifiable() -> None:
    report = engine.verify_credential(_cred(format="martian"), _ctx())
    assert report.check(SIGNATURE).status is CheckStatus.NOT_CHECKED
    assert report.verdict is Verdict.UNVERIFIABLE


def test_status_not_cached_keeps_valid_with_warning(signature) -> None:
    from wallet.model import StatusRef

    ref = StatusRef("BitstringStatusListEntry", "https://status.example/1", 5)
    report = engine.verify_credential(_cred(status=(ref,)), _ctx())
    assert report.check(STATUS).status is CheckStatus.WARNING
    assert report.verdict is Verdict.VALID


def test_nested_credentials_get_period_checks(signature) -> None:
    inner = _cred(title="Inner badge", valid_until="2020-01-01T00:00:00Z")
    report = engine.verify_credential(_cred(nested=(inner,)), _ctx())
    failed = [c for c in report.checks if c.status is CheckStatus.FAILED]
    assert failed and failed[0].detail.startswith("nested credential 'Inner badge': expired")
    assert report.verdict is Verdict.INVALID


def test_parse_datetime_forms() -> None:
    assert parse_datetime("2026-01-02").tzinfo is not None
    assert parse_datetime("2026-01-02T03:04:05.123Z") == datetime(
        2026, 1, 2, 3, 4, 5, 123000, tzinfo=UTC
    )
    with pytest.raises(MalformedInput):
        parse_datetime("yesterday")


def test_period_without_dates() -> None:
    check = check_validity_period(_cred(), NOW)
    assert check.status is CheckStatus.PASSED
    assert check.detail == "no start date, no expiry date"
