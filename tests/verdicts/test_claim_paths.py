"""Class 10: claim names with dots and slashes can be presented, and every path the wallet
prints is an unambiguous JSON Pointer (RFC 6901); the dotted form is a shorthand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from wallet.api import Wallet, verify_presentation
from wallet.cli import cli
from wallet.errors import UsageError
from wallet.formats import claimpath
from wallet.issuer.demo import COLLEGE
from wallet.model import Verdict
from wallet.present import sdjwt as present_sd
from wallet.store.keys import KdfParams
from wallet.verify.context import TrustEntry, TrustList, VerifyContext

PASS = "correct horse battery staple"
AUD, NONCE = "Acme Hiring", "n-123"
GPA = "https://claims.example/gpa"
GPA_POINTER = "/https:~1~1claims.example~1gpa"
CLAIMS: dict[str, Any] = {
    "name": "Nursing Practice",
    GPA: "3.9",
    "a.b": "dotted name",
    "a": {"b": "nested", "c": "other"},
    "tilde~key": "t",
}
DISCLOSABLE = [GPA_POINTER, "/a.b", "/a/b", "/tilde~0key"]


def _ctx() -> VerifyContext:
    return VerifyContext(trust=TrustList((TrustEntry(COLLEGE.did, COLLEGE.name),)))


@pytest.fixture
def holder(tmp_path: Path) -> Any:
    wallet, _ = Wallet.create(tmp_path / "w", PASS, kdf=KdfParams.for_tests(), allow_weak=True)
    key = wallet.holder_key("EdDSA")
    text = present_sd.issue(
        CLAIMS, DISCLOSABLE, COLLEGE.key, iss=COLLEGE.did, kid=COLLEGE.verification_method,
        holder_jwk=key.public_jwk,
    )
    credential_id = wallet.import_bytes(text.encode()).id
    yield wallet, credential_id
    wallet.close()


def _present(holder: Any, *paths: str) -> dict[str, Any]:
    wallet, credential_id = holder
    built = wallet.present([credential_id], list(paths), audience=AUD, nonce=NONCE)
    result = verify_presentation(built.envelope, _ctx(), audience=AUD, nonce=NONCE).to_dict()
    assert result["verdict"] == Verdict.VALID.value
    (item,) = result["credentials"]
    return dict(item)


def test_disclosable_paths_are_pointers(holder: Any) -> None:
    wallet, credential_id = holder
    assert set(wallet.get(credential_id).credential.disclosable) == set(DISCLOSABLE)


def test_a_url_claim_name_can_be_presented_by_shorthand_and_pointer(holder: Any) -> None:
    for asked in (GPA, GPA_POINTER):
        item = _present(holder, asked)
        assert item["disclosed"] == [GPA_POINTER]
        assert item["claims"][GPA] == "3.9"
        assert "a.b" not in item["claims"] and "b" not in item["claims"]["a"]


def test_dotted_name_and_nested_claim_are_told_apart(holder: Any) -> None:
    dotted = _present(holder, "/a.b")
    assert dotted["disclosed"] == ["/a.b"]
    assert dotted["claims"]["a.b"] == "dotted name" and "b" not in dotted["claims"]["a"]
    nested = _present(holder, "/a/b")
    assert nested["disclosed"] == ["/a/b"]
    assert nested["claims"]["a"]["b"] == "nested" and "a.b" not in nested["claims"]
    assert _present(holder, "/tilde~0key")["claims"]["tilde~key"] == "t"


def test_an_ambiguous_shorthand_is_refused_naming_the_pointers(holder: Any) -> None:
    wallet, credential_id = holder
    with pytest.raises(UsageError) as caught:
        wallet.present([credential_id], ["a.b"], audience=AUD, nonce=NONCE)
    assert "/a.b" in caught.value.message and "/a/b" in caught.value.message


@pytest.mark.parametrize("bad", ["/nope", "nope", "/a/b/c", "/tilde~2key", ""])
def test_a_path_that_names_no_claim_is_refused(holder: Any, bad: str) -> None:
    wallet, credential_id = holder
    with pytest.raises(UsageError):
        wallet.present([credential_id], [bad], audience=AUD, nonce=NONCE)


def _run(wallet: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(
        cli, ["--wallet", str(wallet), *args], env={"WALLET_PASSPHRASE": PASS},
        catch_exceptions=False,
    )
    return r.exit_code, r.stdout, r.stderr


def test_cli_present_show_and_verify_use_pointers(holder: Any, tmp_path: Path) -> None:
    wallet, credential_id = holder
    wallet.trust_add(COLLEGE.did, COLLEGE.name)
    wallet.close()
    path = tmp_path / "w"
    code, out, _ = _run(path, "--json", "show", credential_id)
    assert code == 0 and set(json.loads(out)["credential"]["disclosable"]) == set(DISCLOSABLE)
    code, out, _ = _run(path, "show", credential_id)
    assert GPA_POINTER in out and "/a.b" in out
    file = tmp_path / "p.json"
    code, out, err = _run(path, "--json", "present", credential_id, "--disclose", GPA,
                          "--audience", AUD, "--nonce", NONCE, "--out", str(file))
    assert code == 0, err
    assert json.loads(out)["disclosed"] == {"Nursing Practice": [GPA_POINTER]}
    code, out, _ = _run(path, "--json", "verify-presentation", str(file),
                        "--audience", AUD, "--nonce", NONCE)
    assert code == 0
    (item,) = json.loads(out)["credentials"]
    assert item["disclosed"] == [GPA_POINTER] and item["claims"][GPA] == "3.9"
    code, _, err = _run(path, "present", credential_id, "--disclose", "a.b",
                        "--audience", AUD, "--nonce", NONCE, "--out", str(tmp_path / "q.json"))
    assert code == 2 and "/a/b" in err and err.count("\n") == 1
    assert not (tmp_path / "q.json").exists()


_names = st.text(alphabet=st.sampled_from("ab./~01"), max_size=5)


@given(st.lists(_names, max_size=5))
def test_pointer_round_trips(tokens: list[str]) -> None:
    assert claimpath.tokens(claimpath.pointer(tokens)) == tokens


@given(st.dictionaries(_names, st.one_of(st.integers(), st.dictionaries(_names, st.integers())),
                       max_size=6), _names)
def test_every_reading_of_a_shorthand_names_a_claim(claims: dict[str, Any], dotted: str) -> None:
    found = claimpath.readings(claims, dotted)
    assert len(found) == len(set(found))
    for pointer in found:
        assert claimpath.exists(claims, pointer)
        assert ".".join(claimpath.tokens(pointer)) == dotted
    if dotted.startswith("/"):
        return  # a path that starts with / is read as a pointer, never as shorthand
    if len(found) == 1:
        assert claimpath.resolve(claims, dotted) == found[0]
    elif found:
        with pytest.raises(UsageError, match="could mean"):
            claimpath.resolve(claims, dotted)
