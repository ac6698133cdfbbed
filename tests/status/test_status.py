from __future__ import annotations

import base64
import gzip
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from wallet.model import STATUS, CheckStatus, StatusRef
from wallet.verify.status import check_status


def _run(st, docs, *refs, issuer=None, **kw):
    cred = st.credential(*refs, issuer=issuer or st.ISSUER)
    return check_status(
        cred, st.ctx(docs, **kw), verify_list=st.verify_list, parse_list=st.parse_list
    )


def _one(st, doc, ref, **kw):
    (check,) = _run(st, {st.LIST_URL: st.to_bytes(doc)}, ref, **kw)
    assert check.name == STATUS
    return check


# -- Bitstring Status List / StatusList2021 ------------------------------------------------------


def test_revoked(st) -> None:
    check = _one(st, st.list_credential({0, 7, 4242}), st.entry(4242))
    assert check.status is CheckStatus.FAILED
    assert check.detail == "revoked (list fetched 2026-11-18, 2 days ago)"


def test_bit_order_is_leftmost_first(st) -> None:
    doc = st.list_credential({8})
    assert _one(st, doc, st.entry(8)).status is CheckStatus.FAILED
    for neighbour in (7, 9, 15):
        assert _one(st, doc, st.entry(neighbour)).status is CheckStatus.PASSED


def test_valid(st) -> None:
    check = _one(st, st.list_credential({1}), st.entry(2))
    assert check.status is CheckStatus.PASSED
    assert check.detail == "not revoked (list fetched 2026-11-18, 2 days ago)"


def test_not_cached_is_a_warning(st) -> None:
    (check,) = _run(st, {}, st.entry(2))
    assert check.status is CheckStatus.WARNING
    assert check.detail.startswith("status not checked: list not cached")


def test_stale_list_is_a_warning_with_its_age(st) -> None:
    docs = {st.LIST_URL: st.to_bytes(st.list_credential())}
    (check,) = _run(st, docs, st.entry(2), fetched=st.NOW - timedelta(days=45))
    assert check.status is CheckStatus.WARNING
    assert check.detail.startswith("status list is 45 days old")
    (fresh,) = _run(
        st,
        docs,
        st.entry(2),
        status_stale_after=timedelta(days=60),
        fetched=st.NOW - timedelta(days=45),
    )
    assert fresh.status is CheckStatus.PASSED


def test_stale_but_revoked_is_still_revoked(st) -> None:
    docs = {st.LIST_URL: st.to_bytes(st.list_credential({2}))}
    (check,) = _run(st, docs, st.entry(2), fetched=st.NOW - timedelta(days=400))
    assert check.status is CheckStatus.FAILED
    assert "400 days ago" in check.detail


def test_expired_list_is_a_warning(st) -> None:
    doc = st.list_credential(validUntil="2026-06-01T00:00:00Z")
    check = _one(st, doc, st.entry(3))
    assert check.status is CheckStatus.WARNING
    assert "the status list itself is expired on 2026-06-01" in check.detail


def test_tampered_list_fails(st) -> None:
    doc = st.list_credential()
    doc["credentialSubject"] = dict(doc["credentialSubject"], encodedList=st.encoded_list({5}))
    check = _one(st, doc, st.entry(5))
    assert check.status is CheckStatus.FAILED
    assert check.detail.startswith("status list signature invalid")


def test_unverifiable_list_signature_is_a_warning(st) -> None:
    doc = dict(st.list_credential({5}), proof={"type": "Unknown"})
    check = _one(st, doc, st.entry(5))
    assert check.status is CheckStatus.WARNING
    assert "could not be verified" in check.detail


def test_suspension(st) -> None:
    doc = st.list_credential({9}, purpose="suspension")
    check = _one(st, doc, st.entry(9, "suspension"))
    assert check.status is CheckStatus.FAILED
    assert check.detail.startswith("suspended")
    assert _one(st, doc, st.entry(10, "suspension")).detail.startswith("not suspended")


def test_purpose_mismatch_is_a_warning(st) -> None:
    check = _one(st, st.list_credential({9}, purpose="suspension"), st.entry(9))
    assert check.status is CheckStatus.WARNING
    assert "does not match" in check.detail


def test_index_out_of_range(st) -> None:
    check = _one(st, st.list_credential(), st.entry(st.LIST_BITS))
    assert check.status is CheckStatus.WARNING
    assert "outside the list" in check.detail


def test_statuslist2021(st) -> None:
    doc = st.list_credential({77}, kind="StatusList2021")
    assert not doc["credentialSubject"]["encodedList"].startswith("u")
    ref = st.entry(77, kind="StatusList2021Entry")
    assert _one(st, doc, ref).status is CheckStatus.FAILED
    assert _one(st, doc, st.entry(78, kind="StatusList2021Entry")).status is CheckStatus.PASSED


def test_gzip_bomb_in_list_refused(st) -> None:
    bomb = "u" + st.b64url(gzip.compress(bytes(64 * 1024 * 1024)))
    check = _one(st, st.list_credential(encoded=bomb), st.entry(1))
    assert check.status is CheckStatus.WARNING
    assert "inflates beyond" in check.detail


@pytest.mark.parametrize("encoded", ["u!!!", "uH4sIAAAAAAAAA-I-CHANGED", "", "uAAAA"])
def test_garbage_list_is_a_warning(st, encoded: str) -> None:
    check = _one(st, st.list_credential(encoded=encoded), st.entry(1))
    assert check.status is CheckStatus.WARNING
    assert check.detail.startswith("status not checked")


def test_unreadable_list_document(st) -> None:
    (check,) = _run(st, {st.LIST_URL: b"<html>oops</html>"}, st.entry(1))
    assert check.status is CheckStatus.WARNING


def test_list_from_another_issuer_is_flagged(st) -> None:
    doc = st.list_credential(issuer="did:example:someone-else")
    check = _one(st, doc, st.entry(1))
    assert check.status is CheckStatus.WARNING
    assert "did:example:someone-else" in check.detail


def test_unknown_status_type_is_a_warning(st) -> None:
    ref = StatusRef(type="CRLEntry2030", list_url=st.LIST_URL, index=1)
    (check,) = _run(st, {st.LIST_URL: st.to_bytes(st.list_credential({1}))}, ref)
    assert check.status is CheckStatus.WARNING
    assert check.detail == "status not checked: status type CRLEntry2030 is not supported"


def test_one_check_per_entry(st) -> None:
    docs = {st.LIST_URL: st.to_bytes(st.list_credential({1}))}
    checks = _run(st, docs, st.entry(1), st.entry(2))
    assert [c.status for c in checks] == [CheckStatus.FAILED, CheckStatus.PASSED]


# -- DCC fixtures (real Bitstring lists) ---------------------------------------------------------


DCC_URL = "https://testing.dcconsortium.org/status/e5WK8CbZ1GjycuPombrj"
DCC_ISSUER = "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"


def _trusting(credential, ctx):
    # The DCC lists carry Ed25519Signature2020 proofs: their suite is another module's
    # job (see test_dcc_lists_with_the_real_registry); here we test the list logic.
    from wallet.model import SIGNATURE, Check

    return [Check(SIGNATURE, CheckStatus.PASSED, "checked elsewhere")]


def _dcc(st, name: str, index: int = 7, verify=_trusting, parse=None):
    data = (st.DCC / name).read_bytes()
    url = json.loads(data)["id"]
    cred = st.credential(StatusRef("BitstringStatusListEntry", url, index), issuer=DCC_ISSUER)
    (check,) = check_status(
        cred, st.ctx({url: data}), verify_list=verify, parse_list=parse or st.parse_list
    )
    return check


def test_dcc_list_bits(st) -> None:
    from wallet.verify.status import _decode_encoded_list

    doc = json.loads((st.DCC / "e5WK8CbZ1GjycuPombrj.json").read_bytes())
    bits = _decode_encoded_list(doc["credentialSubject"]["encodedList"], "BitstringStatusListEntry")
    assert len(bits) == 12500
    assert [i for i in range(len(bits) * 8) if bits[i // 8] >> (7 - i % 8) & 1] == [2, 6, 8]
    # The DCC "revokedStatus" credentials use index 6, the "validStatus" ones index 7.
    assert _dcc(st, "e5WK8CbZ1GjycuPombrj.json", index=6).detail.startswith("revoked (")
    assert _dcc(st, "e5WK8CbZ1GjycuPombrj.json", index=7).status is CheckStatus.PASSED
    assert _dcc(st, "e5WK8CbZ1GjycuPombrj.json", index=99_999).status is CheckStatus.PASSED


def test_dcc_expired_and_not_yet_valid_lists_warn(st) -> None:
    expired = _dcc(st, "expired.json")
    assert expired.status is CheckStatus.WARNING and "expired on 2021-01-09" in expired.detail
    early = _dcc(st, "notYetValid.json")
    assert early.status is CheckStatus.WARNING and "not yet valid" in early.detail


def test_dcc_tampered_list_unreadable_even_if_signature_were_ignored(st) -> None:
    check = _dcc(st, "tampered.json")
    assert check.status is CheckStatus.WARNING  # never passed


def test_dcc_lists_with_the_real_registry(st) -> None:
    pytest.importorskip("wallet.formats.vc_jsonld")
    from wallet.formats import registry

    good = _dcc(
        st, "e5WK8CbZ1GjycuPombrj.json", verify=registry.verify_signature, parse=registry.parse
    )
    assert good.status is CheckStatus.PASSED, good.detail
    bad = _dcc(st, "tampered.json", verify=registry.verify_signature, parse=registry.parse)
    assert bad.status is CheckStatus.FAILED, bad.detail
    assert bad.detail.startswith("status list signature invalid")


# -- IETF Token Status List ----------------------------------------------------------


def _token_check(st, token: bytes, index: int, issuer: str | None = None, **kw):
    ref = StatusRef(type="TokenStatusList", list_url=st.LIST_URL, index=index)
    (check,) = _run(st, {st.LIST_URL: token}, ref, issuer=issuer or st.did_jwk(st.TOKEN_KEY), **kw)
    return check


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_token_status_values(st, bits: int) -> None:
    values = {0: 1, 5: 1, 6: 0}
    if bits >= 2:
        values.update({7: 2, 9: 3})
    token = st.status_token(values, bits)
    assert _token_check(st, token, 0).status is CheckStatus.FAILED
    assert _token_check(st, token, 5).detail.startswith("revoked")
    assert _token_check(st, token, 6).status is CheckStatus.PASSED
    assert _token_check(st, token, 1).status is CheckStatus.PASSED
    if bits >= 2:
        assert _token_check(st, token, 7).detail.startswith("suspended")
        assert _token_check(st, token, 9).status is CheckStatus.WARNING


def test_token_tampered_fails(st) -> None:
    token = st.status_token({3: 1}).decode()
    header, payload, sig = token.split(".")
    doc = json.loads(base64.urlsafe_b64decode(payload + "=="))
    doc["status_list"]["lst"] = st.token_list({}, 2)
    forged = f"{header}.{st.b64url(json.dumps(doc).encode())}.{sig}".encode()
    check = _token_check(st, forged, 3)
    assert check.status is CheckStatus.FAILED
    assert check.detail.startswith("status list signature invalid")


def test_token_signed_by_someone_else_fails(st) -> None:
    token = st.status_token({3: 1}, key=st.OTHER_TOKEN_KEY)
    check = _token_check(st, token, 4)
    assert check.status is CheckStatus.FAILED
    assert "signed by" in check.detail
    # A kid claiming the issuer's DID but signed with another key: bad signature.
    forged = st.status_token({}, key=st.OTHER_TOKEN_KEY, kid_key=st.TOKEN_KEY)
    assert _token_check(st, forged, 3).status is CheckStatus.FAILED


def test_token_for_another_list_fails(st) -> None:
    token = st.status_token({}, sub="https://status.example/lists/other")
    check = _token_check(st, token, 3)
    assert check.status is CheckStatus.FAILED
    assert "not https://status.example/lists/1" in check.detail


def test_token_expired_is_a_warning(st) -> None:
    token = st.status_token({}, exp=int((st.NOW - timedelta(days=1)).timestamp()))
    check = _token_check(st, token, 3)
    assert check.status is CheckStatus.WARNING
    assert "expired" in check.detail


def test_token_wrong_typ_and_out_of_range(st) -> None:
    assert _token_check(st, st.status_token({}), 10_000).status is CheckStatus.WARNING
    plain = st.status_token({}).decode().split(".")
    header = st.b64url(json.dumps({"alg": "ES256", "kid": "did:jwk:x"}).encode())
    check = _token_check(st, f"{header}.{plain[1]}.{plain[2]}".encode(), 1)
    assert check.status is CheckStatus.WARNING


# -- robustness ---------------------------------------------------------------------------------


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=hst.lists(
        hst.tuples(hst.integers(min_value=0), hst.integers(min_value=0, max_value=255)),
        min_size=1,
        max_size=6,
    ),
    which=hst.sampled_from(["bitstring", "token"]),
    index=hst.integers(min_value=-5, max_value=200_000),
)
def test_mutated_lists_never_crash(st, edits, which: str, index: int) -> None:
    if which == "bitstring":
        data = bytearray(st.to_bytes(st.list_credential({1, 2})))
        ref = st.entry(index)
    else:
        data = bytearray(st.status_token({1: 1, 2: 2}))
        ref = StatusRef(type="TokenStatusList", list_url=st.LIST_URL, index=index)
    for position, value in edits:
        data[position % len(data)] = value
    (check,) = _run(st, {st.LIST_URL: bytes(data)}, ref, issuer=st.did_jwk(st.TOKEN_KEY))
    assert check.name == STATUS


def test_token_for_credential_without_issuer_is_not_trusted(st) -> None:
    ref = StatusRef(type="TokenStatusList", list_url=st.LIST_URL, index=1)
    cred = st.credential(ref, issuer="")
    (check,) = check_status(
        cred,
        st.ctx({st.LIST_URL: st.status_token({})}),
        verify_list=st.verify_list,
        parse_list=st.parse_list,
    )
    assert check.status is CheckStatus.WARNING
    assert "names no issuer" in check.detail


def test_multi_bit_status_with_messages(st) -> None:
    from dataclasses import replace

    # statusSize 2: entry i occupies bits 2i and 2i+1, most significant first.
    bits = bytearray(st.LIST_BITS // 8)
    bits[0] = 0b00_01_10_11  # entries 0..3 hold 0, 1, 2, 3
    encoded = "u" + st.b64url(gzip.compress(bytes(bits)))
    doc = st.list_credential(encoded=encoded, purpose="message")
    messages = [
        {"status": "0x0", "message": "ok"},
        {"status": "0x1", "message": "pending"},
        {"status": "0x2", "message": "under review"},
        {"status": "0x3", "message": "x"},
    ]

    def check(index: int):
        ref = st.entry(index, "message")
        status = {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListCredential": st.LIST_URL,
            "statusListIndex": str(index),
            "statusSize": 2,
            "statusMessage": messages,
        }
        cred = replace(st.credential(ref), document={"credentialStatus": [status]})
        (result,) = check_status(
            cred,
            st.ctx({st.LIST_URL: st.to_bytes(doc)}),
            verify_list=st.verify_list,
            parse_list=st.parse_list,
        )
        return result

    assert check(2).status is CheckStatus.WARNING
    assert "status message: under review" in check(2).detail
    assert "status message: pending" in check(1).detail
    assert "outside the list" in check(st.LIST_BITS // 2).detail


def test_token_signed_with_did_key(st) -> None:
    from wallet.verify import keys

    did = keys.did_key_from_public_key(st.TOKEN_KEY.public_key())
    kid = f"{did}#{did[len('did:key:') :]}"
    header = {"alg": "ES256", "typ": "statuslist+jwt", "kid": kid}
    payload = {"sub": st.LIST_URL, "status_list": {"bits": 1, "lst": st.token_list({4: 1}, 1)}}
    token = st.jws.serialize_compact(
        header, json.dumps(payload).encode(), st.ECKey.import_key(st.TOKEN_KEY)
    ).encode()
    assert _token_check(st, token, 4, issuer=did).detail.startswith("revoked")
    assert _token_check(st, token, 5, issuer=did).status is CheckStatus.PASSED
    wrong_kid = f"{did}#zNotTheKey"
    header["kid"] = wrong_kid
    bad = st.jws.serialize_compact(
        header, json.dumps(payload).encode(), st.ECKey.import_key(st.TOKEN_KEY)
    ).encode()
    assert _token_check(st, bad, 4, issuer=did).status is CheckStatus.FAILED
