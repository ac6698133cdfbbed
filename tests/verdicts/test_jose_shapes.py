"""Class 11: VC 2.0 over JOSE in the shapes peers accept, checked with an independent JOSE
library (jwcrypto): the demo's credential is ``vc+jwt`` with the VC as payload, and a
presentation of VC 2.0 JWTs is ``vp+jwt`` with EnvelopedVerifiableCredential. The older
VC 1.1 shapes (``vc`` and ``vp`` claims) are still made for 1.1 credentials and accepted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from wallet.api import Wallet, verify_presentation
from wallet.cli import cli
from wallet.issuer.demo import BOOTCAMP, sample_credentials
from wallet.model import Verdict
from wallet.present import envelope, vp
from wallet.store.keys import KdfParams
from wallet.verify import jws, keys
from wallet.verify.context import VerifyContext

PASS = "correct horse battery staple"
AUD, NONCE = "Acme Hiring", "n-42"
VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"


def _independent(token: str, public_jwk: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """(header, payload) as jwcrypto reads them, after it verified the signature."""
    parsed = JWS()
    parsed.deserialize(token)
    parsed.verify(JWK(**public_jwk))
    return dict(parsed.jose_header), json.loads(parsed.payload)


@pytest.fixture
def holder(tmp_path: Path) -> Any:
    wallet, _ = Wallet.create(tmp_path / "w", PASS, kdf=KdfParams.for_tests(), allow_weak=True)
    key = wallet.holder_key("EdDSA")
    by_label = dict(sample_credentials(key.did, key.public_jwk))
    token = by_label["demo: VC-JOSE vc+jwt (untrusted issuer)"].decode()
    credential_id = wallet.import_bytes(token.encode()).id
    yield wallet, key, token, credential_id
    wallet.close()


def _bootcamp_jwk() -> dict[str, Any]:
    return keys.jwk_from_public_key(BOOTCAMP.key.public_key())


def test_demo_vc_is_vc_jose_as_an_independent_library_reads_it(holder: Any) -> None:
    _, key, token, _ = holder
    header, payload = _independent(token, _bootcamp_jwk())
    assert header["typ"] == "vc+jwt" and header["alg"] == "ES256"
    assert "vc" not in payload
    assert payload["@context"][0] == VC2
    assert payload["credentialSubject"]["id"] == key.did
    assert payload["issuer"]["id"] == payload["iss"] == BOOTCAMP.did


def _vp_part(built: bytes) -> str:
    (part,) = [p for p in envelope.parse_envelope(built).parts if p.format == "vp-jwt"]
    assert isinstance(part.data, str)
    return part.data


def test_vc2_jwts_are_presented_as_vp_jwt_with_enveloped_credentials(holder: Any) -> None:
    wallet, key, token, credential_id = holder
    built = wallet.present([credential_id], [], audience=AUD, nonce=NONCE).envelope
    header, payload = _independent(_vp_part(built), key.public_jwk)
    assert header["typ"] == "vp+jwt" and header["alg"] == "EdDSA"
    assert "vp" not in payload
    assert payload["@context"] == [VC2] and payload["type"] == ["VerifiablePresentation"]
    assert payload["holder"] == key.did
    assert (payload["aud"], payload["nonce"]) == (AUD, NONCE)
    assert payload["verifiableCredential"] == [
        {"@context": VC2, "id": "data:application/vc+jwt," + token,
         "type": "EnvelopedVerifiableCredential"}
    ]
    result = verify_presentation(built, VerifyContext(), audience=AUD, nonce=NONCE)
    (item,) = result.to_dict()["credentials"]
    assert item["verdict"] == Verdict.VALID_UNTRUSTED_ISSUER.value
    assert {c["name"]: c["status"] for c in item["checks"]}["holder_binding"] == "passed"


def _resign_vp(token: str, key: Any, mutate: Any) -> str:
    parsed = jws.parse_compact(token)
    payload = mutate(parsed.payload_json())
    return jws.sign_compact(payload, key.private_key, headers=dict(parsed.header))


def test_a_swapped_enveloped_credential_is_invalid(holder: Any) -> None:
    wallet, key, token, credential_id = holder
    vp_token = _vp_part(wallet.present([credential_id], [], audience=AUD, nonce=NONCE).envelope)
    head, body, sig = token.split(".")
    forged = ".".join([head, body, sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB")])

    def swap(payload: dict[str, Any]) -> dict[str, Any]:
        payload["verifiableCredential"] = [vp.envelope_credential(forged)]
        return payload

    for candidate, verdict in ((vp_token, Verdict.VALID_UNTRUSTED_ISSUER),
                               (_resign_vp(vp_token, key, swap), Verdict.INVALID)):
        result = verify_presentation(candidate.encode(), VerifyContext(), audience=AUD,
                                     nonce=NONCE)
        assert result.verdict is verdict


def test_vc1_jwts_keep_the_vp_claim_and_old_shapes_are_accepted(holder: Any) -> None:
    wallet, key, vc2_token, _ = holder
    vc1 = {"@context": [VC1], "type": ["VerifiableCredential"], "name": "Old Shape",
           "credentialSubject": {"id": key.did, "name": "Sam"}}
    vc1_token = jws.sign_compact(
        {"iss": BOOTCAMP.did, "sub": key.did, "nbf": 1767225600, "vc": vc1}, BOOTCAMP.key,
        headers={"kid": BOOTCAMP.verification_method, "typ": "JWT"},
    )
    vc1_id = wallet.import_bytes(vc1_token.encode()).id
    built = wallet.present([vc1_id], [], audience=AUD, nonce=NONCE).envelope
    header, payload = _independent(_vp_part(built), key.public_jwk)
    assert header["typ"] == "JWT" and payload["vp"]["verifiableCredential"] == [vc1_token]
    assert verify_presentation(built, VerifyContext(), audience=AUD, nonce=NONCE).verdict is (
        Verdict.VALID_UNTRUSTED_ISSUER
    )
    # A VP made by older software: the 1.1 vp claim carrying a VC 2.0 JWT.
    old = vp.make_vp_jwt([vc2_token], key.private_key, key.did, f"{key.did}#{key.did[8:]}",
                         audience=AUD, nonce=NONCE)
    assert verify_presentation(old.encode(), VerifyContext(), audience=AUD,
                               nonce=NONCE).verdict is Verdict.VALID_UNTRUSTED_ISSUER


def test_cli_presents_and_verifies_the_vc_jose_shape(holder: Any, tmp_path: Path) -> None:
    wallet, key, _, credential_id = holder
    wallet.close()

    def run(*args: str) -> tuple[int, str]:
        r = CliRunner().invoke(cli, ["--wallet", str(tmp_path / "w"), *args],
                               env={"WALLET_PASSPHRASE": PASS}, catch_exceptions=False)
        return r.exit_code, r.stdout

    out = tmp_path / "p.json"
    assert run("present", credential_id, "--audience", AUD, "--nonce", NONCE, "--yes",
               "--out", str(out))[0] == 0
    header, _ = _independent(_vp_part(out.read_bytes()), key.public_jwk)
    assert header["typ"] == "vp+jwt"
    code, text = run("--json", "verify-presentation", str(out), "--audience", AUD,
                     "--nonce", NONCE)
    assert code == 1 and json.loads(text)["verdict"] == "valid_untrusted_issuer"
    code, text = run("--json", "verify-presentation", str(out), "--audience", AUD,
                     "--nonce", "other")
    assert code == 1 and json.loads(text)["verdict"] == "invalid"
