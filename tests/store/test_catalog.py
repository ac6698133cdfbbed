"""List and search come from summaries prepared once per record revision; duplicates are
found through the store's index; both stay right across writes and reopening."""

# ruff: noqa: F811
from __future__ import annotations

from pathlib import Path

from tests.present.conftest import Demo, demo_wallet  # noqa: F401
from wallet.api import Wallet
from wallet.issuer.demo import sample_credentials


def test_search_covers_title_issuer_alignments_and_sd_jwt_skills(demo_wallet: Demo) -> None:
    wallet = demo_wallet.wallet
    ids = demo_wallet.ids

    def found(text: str) -> set[str]:
        return {s.id for s in wallet.summaries(text)}

    assert found("optimise inventory") == {ids["sdjwt"]}  # a skill inside SD-JWT claims
    assert found("ANALYSE BIG DATA") == {ids["ob3"]}  # an ESCO alignment, any case
    assert found("demo code bootcamp") == {ids["vcjwt"]}
    assert found("no such words anywhere") == set()
    assert len(wallet.summaries()) == len(ids)
    assert [s.id for s in wallet.summaries()] == [s.id for s in wallet.list()]


def test_summaries_follow_writes(demo_wallet: Demo) -> None:
    wallet = demo_wallet.wallet
    before = {s.id: s for s in wallet.summaries()}
    wallet.delete(demo_wallet.ids["expired"])
    assert demo_wallet.ids["expired"] not in {s.id for s in wallet.summaries()}
    stored = wallet.verify(demo_wallet.ids["ob3"])
    after = {s.id: s for s in wallet.summaries()}
    assert after[stored.id].verdict is stored.report.verdict
    assert after[demo_wallet.ids["sdjwt"]] is before[demo_wallet.ids["sdjwt"]]  # not rebuilt


def test_duplicates_are_found_after_reopening(tmp_path: Path) -> None:
    from wallet.store.keys import KdfParams

    wallet, _ = Wallet.create(tmp_path / "w", "pass phrase", kdf=KdfParams.for_tests(),
                              allow_weak=True)
    key = wallet.holder_key("EdDSA")
    samples = sample_credentials(key.did, key.public_jwk)
    first = [wallet.import_bytes(data).id for _, data in samples]
    wallet.close()
    wallet = Wallet.open(tmp_path / "w", "pass phrase")
    again = [wallet.import_bytes(data) for _, data in samples]
    assert [o.id for o in again] == first and all(o.duplicate for o in again)
    assert len(wallet.summaries()) == len(samples)
    wallet.close()


def test_a_record_from_an_older_release_is_read_again(demo_wallet: Demo) -> None:
    wallet = demo_wallet.wallet
    rid = demo_wallet.ids["sdjwt"]
    record = wallet.store.get(rid)
    old = dict(record.data)
    old.pop("view")
    old["credential"] = {**old["credential"], "achievement": None, "results": []}
    wallet.store.put("credential", old, rid)
    again = wallet.get(rid).credential
    assert again.achievement is not None
    assert [r.value for r in again.results] == ["B+"]
