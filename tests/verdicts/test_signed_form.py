"""Issue 7, class 3: an rdfc proof covers the RDF graph, while the wallet reads JSON keys.

Each attack rewrites an honestly signed credential so that its canonical N-Quads (and so
its proof) are unchanged, while a reader of plain keys would see or check something else.
Each must end `invalid`; the honest original stays `valid`. A property test (Hypothesis)
applies random RDF-neutral rewrites: none may verify with a value that differs.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.api import parse_credential, verify_credential
from wallet.cli import cli
from wallet.issuer.demo import COLLEGE
from wallet.issuer.samples import ob3_credential, sign
from wallet.model import Credential, Verdict
from wallet.verify import jsonld
from wallet.verify.context import TrustEntry, TrustList, VerifyContext

CRED = "https://www.w3.org/2018/credentials#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
STATUS_URL = "https://college.demo/status/1"

Doc = dict[str, Any]


def _unsigned(credential_id: str, name: str, valid_until: str) -> Doc:
    return ob3_credential(
        COLLEGE,
        credential_id=credential_id,
        subject_id="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        subject_name="Alex Learner",
        achievement_name=name,
        description=f"{name}, as assessed by the college.",
        criteria="Met the published criteria.",
        valid_until=valid_until,
    )


def _honest() -> Doc:
    doc = _unsigned("signed-form-1", "Clinical Placement", "2099-01-01T00:00:00Z")
    doc["credentialStatus"] = {
        "id": STATUS_URL + "#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": STATUS_URL,
    }
    return sign(doc, COLLEGE)


HONEST = _honest()


def _ctx() -> VerifyContext:
    return VerifyContext(trust=TrustList((TrustEntry(COLLEGE.did, COLLEGE.name),)))


def _verify(doc: Doc) -> tuple[Verdict, Credential]:
    credential = parse_credential(json.dumps(doc).encode())
    return verify_credential(credential, _ctx()).verdict, credential


def _without_proof(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if k != "proof"}


def _same_graph(a: Doc, b: Doc) -> bool:
    return jsonld.canonize(_without_proof(a)) == jsonld.canonize(_without_proof(b))


def _valid_until_full_iri(doc: Doc) -> None:
    value = doc.pop("validUntil")
    doc[CRED + "validUntil"] = {"@value": value, "@type": XSD_DATETIME}


def _status_list_as_object(doc: Doc) -> None:
    entry = doc["credentialStatus"]
    entry["statusListCredential"] = {"id": entry["statusListCredential"]}


def _status_full_iri(doc: Doc) -> None:
    doc[CRED + "credentialStatus"] = doc.pop("credentialStatus")


def _subject_at_id(doc: Doc) -> None:
    doc["credentialSubject"]["@id"] = doc["credentialSubject"].pop("id")


def _subject_id_wrapped(doc: Doc) -> None:
    doc["credentialSubject"]["id"] = [doc["credentialSubject"]["id"]]


def _issuer_at_id(doc: Doc) -> None:
    doc["issuer"]["@id"] = doc["issuer"].pop("id")


ATTACKS: dict[str, Callable[[Doc], None]] = {
    "validUntil-full-iri": _valid_until_full_iri,
    "statusListCredential-object": _status_list_as_object,
    "credentialStatus-full-iri": _status_full_iri,
    "subject-@id": _subject_at_id,
    "issuer-@id": _issuer_at_id,
}


def test_honest_control_is_valid() -> None:
    verdict, credential = _verify(HONEST)
    assert verdict is Verdict.VALID
    assert credential.valid_until == "2099-01-01T00:00:00Z"
    assert credential.status and credential.status[0].list_url == STATUS_URL


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_rdf_neutral_rewrite_is_invalid(name: str) -> None:
    doc = copy.deepcopy(HONEST)
    ATTACKS[name](doc)
    assert _same_graph(doc, HONEST), "the rewrite must leave the signed graph unchanged"
    verdict, _ = _verify(doc)
    assert verdict is Verdict.INVALID  # before: valid (or unbound / status unchecked)


def test_subject_id_in_a_list_is_not_valid() -> None:
    """Not RDF-neutral (an @id must be a string): refused, never read as 'no subject'."""
    doc = copy.deepcopy(HONEST)
    _subject_id_wrapped(doc)
    assert _verify(doc)[0] is Verdict.INVALID


def test_expired_credential_with_rewritten_date_is_not_valid() -> None:
    signed = sign(
        _unsigned("signed-form-expired", "Expired Licence", "2020-01-01T00:00:00Z"), COLLEGE
    )
    assert _verify(signed)[0] is Verdict.INVALID  # honest: expired
    rewritten = copy.deepcopy(signed)
    _valid_until_full_iri(rewritten)
    assert _same_graph(rewritten, signed)
    verdict, credential = _verify(rewritten)
    assert verdict is Verdict.INVALID  # before: valid, with no end date shown
    assert credential.valid_until is None


def _cli_verify(tmp_path: Path, doc: Doc) -> int:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(
        cli,
        ["--wallet", str(tmp_path / "w"), "--json", "verify", str(path), "--no-wallet"],
        catch_exceptions=False,
    )
    return result.exit_code


@pytest.mark.parametrize("name", ["validUntil-full-iri", "subject-@id"])
def test_cli_exit_code(tmp_path: Path, name: str) -> None:
    doc = copy.deepcopy(HONEST)
    ATTACKS[name](doc)
    assert _cli_verify(tmp_path, doc) == 1
    # (--no-wallet trusts nobody, so even the honest one exits 1: compare verdicts instead)
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(HONEST))
    out = CliRunner().invoke(
        cli,
        ["--wallet", str(tmp_path / "w"), "--json", "verify", str(path), "--no-wallet"],
        catch_exceptions=False,
    )
    assert json.loads(out.stdout)["verdict"] == "valid_untrusted_issuer"


# -- property: random RDF-neutral rewrites -------------------------------------------------

FULL_IRIS = {
    "validUntil": CRED + "validUntil",
    "validFrom": CRED + "validFrom",
    "credentialStatus": CRED + "credentialStatus",
    "credentialSubject": CRED + "credentialSubject",
}


def _rewrite(doc: Doc, choice: int) -> None:
    kind = choice % 7
    if kind == 0:
        key = sorted(FULL_IRIS)[choice // 7 % len(FULL_IRIS)]
        if key in doc:
            doc[FULL_IRIS[key]] = doc.pop(key)
    elif kind == 1:
        subject = doc.get("credentialSubject")
        if isinstance(subject, dict) and "id" in subject:
            _subject_at_id(doc)
    elif kind == 2 and "type" in doc:
        doc["@type"] = doc.pop("type")
    elif kind == 3 and isinstance(doc.get("validFrom"), str):
        doc["validFrom"] = {"@value": doc["validFrom"], "@type": XSD_DATETIME}
    elif kind == 4 and isinstance(doc.get("credentialSubject"), dict):
        doc["credentialSubject"] = [doc["credentialSubject"]]
    elif kind == 5 and isinstance(doc.get("@context"), list):
        doc["@context"] = list(reversed(doc["@context"]))
        for proof in doc["proof"] if isinstance(doc["proof"], list) else [doc["proof"]]:
            if "@context" in proof:
                proof["@context"] = doc["@context"]
    elif kind == 6 and isinstance(doc.get("issuer"), dict) and "id" in doc["issuer"]:
        _issuer_at_id(doc)


def _shown(credential: Credential) -> tuple[Any, ...]:
    achievement = credential.achievement
    return (
        credential.title,
        credential.issuer.id,
        credential.issuer.name,
        credential.subject.id,
        credential.valid_from,
        credential.valid_until,
        credential.status,
        achievement.name if achievement else None,
        credential.results,
    )


HONEST_SHOWN = _shown(_verify(HONEST)[1])


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=3))
def test_no_rdf_neutral_rewrite_verifies_showing_other_values(choices: list[int]) -> None:
    doc = copy.deepcopy(HONEST)
    for choice in choices:
        _rewrite(doc, choice)
    try:
        verdict, credential = _verify(doc)
    except Exception as exc:  # refused at parse time: fine, as long as it is our error
        from wallet.errors import WalletError

        assert isinstance(exc, WalletError)
        return
    if verdict in (Verdict.VALID, Verdict.VALID_UNTRUSTED_ISSUER):
        assert _shown(credential) == HONEST_SHOWN
