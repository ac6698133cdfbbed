"""A VC-JWT's own nbf/exp bound its validity even when the VC inside says otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from wallet import engine
from wallet.formats import registry
from wallet.issuer.samples import DemoIssuer
from wallet.model import CheckStatus, Verdict
from wallet.verify import jws
from wallet.verify.context import VerifyContext

ISSUER = DemoIssuer.ed25519("Times College", "https://times.test", "times-test")
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
Y2020, Y2021, Y2100 = 1577836800, 1609459200, 4102444800


def _subject() -> dict[str, Any]:
    return {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "urn:uuid:0f4e2a56-3c41-4d1e-9a61-3a5c6b7d8e9f",
            "type": ["Achievement"],
            "name": "Timekeeping",
            "criteria": {"narrative": "Be on time."},
        },
    }


def _verify(payload: dict[str, Any], typ: str = "JWT") -> tuple[Any, Any]:
    token = jws.sign_compact(
        payload, ISSUER.key, headers={"kid": ISSUER.verification_method, "typ": typ}
    )
    credential = registry.parse(token.encode())
    return credential, engine.verify_credential(credential, VerifyContext())


def _vc1(**vc: Any) -> dict[str, Any]:
    return {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "credentialSubject": _subject(),
        **vc,
    }


def test_past_exp_wins_over_a_later_expiration_date() -> None:
    payload = {
        "iss": ISSUER.did,
        "nbf": Y2020,
        "exp": Y2021,
        "vc": _vc1(issuanceDate="2020-01-01T00:00:00Z", expirationDate="2099-01-01T00:00:00Z"),
    }
    credential, report = _verify(payload)
    assert credential.valid_until == "2021-01-01T00:00:00Z"
    assert report.check("signature").status is CheckStatus.PASSED
    assert report.check("validity_period").status is CheckStatus.FAILED
    assert report.verdict is Verdict.INVALID


def test_future_nbf_wins_over_an_earlier_issuance_date() -> None:
    payload = {"iss": ISSUER.did, "nbf": Y2100, "vc": _vc1(issuanceDate="2020-01-01T00:00:00Z")}
    credential, report = _verify(payload)
    assert credential.valid_from == "2100-01-01T00:00:00Z"
    assert report.check("validity_period").status is CheckStatus.FAILED


def test_vc_jose_exp_bounds_a_vc_without_valid_until() -> None:
    payload = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.did,
        "validFrom": "2020-01-01T00:00:00Z",
        "exp": Y2021,
        "credentialSubject": _subject(),
    }
    credential, report = _verify(payload, typ="vc+jwt")
    assert credential.valid_until == "2021-01-01T00:00:00Z"
    assert report.check("validity_period").status is CheckStatus.FAILED


@pytest.mark.parametrize("exp", [Y2100, None])
def test_an_earlier_vc_end_date_is_kept(exp: int | None) -> None:
    payload: dict[str, Any] = {
        "iss": ISSUER.did,
        "nbf": Y2020,
        "vc": _vc1(issuanceDate="2020-06-01T00:00:00Z", expirationDate="2021-01-01T00:00:00Z"),
    }
    if exp is not None:
        payload["exp"] = exp
    credential, report = _verify(payload)
    # The tighter of the two bounds stands: the VC's own dates here.
    assert credential.valid_from == "2020-06-01T00:00:00Z"
    assert credential.valid_until == "2021-01-01T00:00:00Z"
    assert report.check("validity_period").status is CheckStatus.FAILED


def test_jwt_times_inside_the_vc_period_keep_it_valid() -> None:
    payload = {
        "iss": ISSUER.did,
        "nbf": Y2020,
        "exp": Y2100,
        "vc": _vc1(issuanceDate="2020-01-01T00:00:00Z"),
    }
    credential, report = _verify(payload)
    assert (credential.valid_from, credential.valid_until) == (
        "2020-01-01T00:00:00Z",
        "2100-01-01T00:00:00Z",
    )
    assert report.check("validity_period").status is CheckStatus.PASSED


def test_sd_jwt_carrying_a_vc_is_bounded_by_its_exp() -> None:
    from tests.jose.conftest import ctx_with_issuers, new_p256
    from wallet.present import sdjwt as present_sd

    key, jwk = new_p256()
    _, holder_jwk = new_p256()
    iss = "https://sd-times.test"
    claims = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": iss,
        "validFrom": "2020-01-01T00:00:00Z",
        "validUntil": "2099-01-01T00:00:00Z",
        "exp": Y2021,
        "credentialSubject": _subject(),
    }
    token = present_sd.issue(
        claims, ["credentialSubject.achievement"], key, iss=iss, holder_jwk=holder_jwk
    )
    credential = registry.parse(token.encode())
    assert credential.format == "sd-jwt"
    assert credential.valid_until == "2021-01-01T00:00:00Z"
    report = engine.verify_credential(credential, ctx_with_issuers({iss: jwk}))
    checks = {c.name: c.status for c in report.checks}
    assert checks["signature"] is CheckStatus.PASSED
    assert checks["validity_period"] is CheckStatus.FAILED
