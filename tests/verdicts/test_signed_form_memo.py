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


def test_the_same_keys_in_another_order_get_their_own_reason_not_the_memo() -> None:
    # Two refused keywords: the reason names the first in document order, so the memo must
    # not answer one order with the other's words. The honest control stays in its form.
    signed_form._reasons.clear()
    first = {**copy.deepcopy(HONEST), "@included": [], "@nest": {}}
    second = {k: v for k, v in first.items() if k not in ("@included", "@nest")}
    second.update({"@nest": {}, "@included": []})
    assert signed_form.check(first) == signed_form.reason_of(_own(first))
    assert signed_form.check(second) == signed_form.reason_of(_own(second))
    assert "at @nest:" in (signed_form.check(second) or "")
    assert "at @included:" in (signed_form.check(first) or "")
    assert signed_form.check(HONEST) is None
