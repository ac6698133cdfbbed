"""The signed-form answer memoised per document text (wallet.verify.signed_form.check)
against the rule made afresh (reason_of), the reference path kept as the oracle: the same
answer for the honest credential and every RDF-neutral rewrite, cold and warm, and a
rewrite is never answered by the honest document's memo (each attack beside its control)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.verdicts.test_signed_form import ATTACKS, HONEST, _verify
from wallet.model import Verdict
from wallet.verify import signed_form


def _own(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "verifiableCredential"}


def test_the_honest_document_is_in_its_signed_form_cold_and_warm() -> None:
    signed_form._reasons.clear()
    assert signed_form.reason_of(_own(HONEST)) is None
    assert signed_form.check(HONEST) is None
    assert signed_form.check(HONEST) is None


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_rewrite_gets_the_reference_answer_after_the_honest_one(name: str) -> None:
    assert signed_form.check(HONEST) is None  # the honest control, memoised
    doc = copy.deepcopy(HONEST)
    ATTACKS[name](doc)
    reference = signed_form.reason_of(_own(doc))
    assert reference is not None and "compact form" in reference
    assert signed_form.check(doc) == reference
    assert signed_form.check(doc) == reference  # from the memo
    assert _verify(doc)[0] is Verdict.INVALID
    assert _verify(HONEST)[0] is Verdict.VALID


def test_a_differing_embedded_context_is_refused_from_the_memo_too() -> None:
    doc = copy.deepcopy(HONEST)
    doc["credentialSubject"]["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    reference = signed_form.reason_of(_own(doc))
    assert reference is not None and "embedded @context" in reference
    assert signed_form.check(doc) == reference == signed_form.check(doc)


def test_the_memo_is_bounded() -> None:
    signed_form._reasons.clear()
    for i in range(signed_form._MAX_CACHE + 3):
        doc = copy.deepcopy(HONEST)
        doc["name"] = f"Copy {i}"
        signed_form.check(doc)
    assert len(signed_form._reasons) == signed_form._MAX_CACHE


def test_a_large_document_is_judged_afresh_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signed_form, "_MAX_KEY", 100)
    signed_form._reasons.clear()
    assert signed_form.check(HONEST) is None
    doc = copy.deepcopy(HONEST)
    ATTACKS["issuer-@id"](doc)
    assert signed_form.check(doc) == signed_form.reason_of(_own(doc)) is not None
    assert signed_form._reasons == {}
