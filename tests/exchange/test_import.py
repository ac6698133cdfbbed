"""End to end through the CLI: `wallet import URL|offer|QR image` from the reference issuer
on 127.0.0.1, offline verification from what the import cached once the issuer is gone,
and `wallet refresh` seeing a revocation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.exchange.conftest import RunFn
from tests.issuer.flow import b64url
from tests.issuer.server_fixture import RunningIssuer
from wallet.present import qr

TITLE = "Data Analytics Foundations"
SD_JWT_TITLE = "Data Analytics Foundations (micro-credential)"
COLLEGE = "Harbourview College of Applied Technology"
ONE_IMPORTED = "1 imported, 0 already in the wallet, 0 refused\n"
CONFIGS = {
    "programme_ldp_vc": "vc-jsonld",
    "programme_jwt_vc": "vc-jwt",
    "programme_sd_jwt": "sd-jwt",
}


def listed(run: RunFn) -> list[dict[str, Any]]:
    result = run("--json", "list")
    assert result.exit_code == 0, result.stderr
    credentials: list[dict[str, Any]] = result.json["credentials"]
    return credentials


def cached(run: RunFn) -> dict[str, str]:
    """URL -> fetched_at of every document in the wallet's cache."""
    result = run("--json", "cache", "list")
    assert result.exit_code == 0, result.stderr
    return {d["url"]: d["fetched_at"] for d in result.json["documents"]}


def our_dids(run: RunFn) -> set[str]:
    """This wallet's holder keys as did:key and as did:jwk."""
    dids = set()
    for key in run("--json", "keys").json["keys"]:
        dids.add(key["did"])
        dids.add(
            "did:jwk:"
            + b64url(json.dumps(key["jwk"], sort_keys=True, separators=(",", ":")).encode())
        )
    return dids


def checks(result: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in result["checks"]}


def imported_one(run: RunFn, *args: str, input: str | None = None) -> dict[str, Any]:
    result = run("--json", "import", *args, input=input)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(ONE_IMPORTED)
    [one] = result.json["results"]
    assert one["duplicate"] is False
    return dict(one)


# -- by URL ---------------------------------------------------------------------------------

URL_CASES = [
    # (what the issuer issues, path suffix, format, title, the documents verification read)
    ("ldp_vc", "", "vc-jsonld", TITLE, {"/.well-known/did.json", "/status/bitstring/1"}),
    ("jwt_vc_json", "", "vc-jwt", TITLE, {"/.well-known/did.json", "/status/bitstring/1"}),
    ("dc+sd-jwt", "", "sd-jwt", SD_JWT_TITLE, {"/.well-known/jwt-vc-issuer", "/status/token/1"}),
    ("ldp_vc", ".svg", "vc-jsonld", TITLE, {"/.well-known/did.json", "/status/bitstring/1"}),
    ("jwt_vc_json", ".svg", "vc-jwt", TITLE, {"/.well-known/did.json", "/status/bitstring/1"}),
]


@pytest.mark.parametrize(("kind", "suffix", "fmt", "title", "documents"), URL_CASES)
def test_import_by_url(
    wallet: RunFn,
    issuer_server: RunningIssuer,
    kind: str,
    suffix: str,
    fmt: str,
    title: str,
    documents: set[str],
) -> None:
    assert listed(wallet) == [] and cached(wallet) == {}
    url = issuer_server.url(issuer_server.issue(kind).path + suffix)
    one = imported_one(wallet, url)
    assert (one["source"], one["format"], one["title"], one["issuer"]) == (url, fmt, title, COLLEGE)
    assert one["verdict"] == "valid_untrusted_issuer"
    assert checks(one)["signature"] == checks(one)["status"] == "passed"
    [stored] = listed(wallet)
    assert (stored["id"], stored["format"], stored["verdict"]) == (one["id"], fmt, one["verdict"])
    assert {issuer_server.url(p) for p in documents} <= set(cached(wallet))


def test_import_a_hosted_ob2_assertion_with_its_badge_class_and_issuer(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    url = issuer_server.url("/ob2/assertions/sample")
    one = imported_one(wallet, url)
    assert (one["format"], one["title"], one["issuer"]) == ("ob2", TITLE, COLLEGE)
    assert checks(one) == {
        "signature": "passed",
        "validity_period": "passed",
        "status": "passed",
        "issuer_trust": "warning",
    }
    # The badge class and the issuer profile it names by URL were fetched and kept.
    assert set(cached(wallet)) == {
        url,
        issuer_server.url("/ob2/badges/data-analytics-foundations"),
        issuer_server.url("/ob2/issuer"),
        issuer_server.url("/ob2/revocations"),
    }
    [stored] = listed(wallet)
    assert (stored["title"], stored["issuer"]) == (TITLE, COLLEGE)
    # Importing it again is a duplicate, not a second record.
    again = wallet("--json", "import", url)
    assert again.exit_code == 0 and again.json["results"][0]["duplicate"] is True
    assert len(listed(wallet)) == 1


def test_import_a_baked_ob2_png(wallet: RunFn, issuer_server: RunningIssuer) -> None:
    one = imported_one(wallet, issuer_server.url("/ob2/assertions/sample.png"))
    assert (one["format"], one["title"], one["verdict"]) == ("ob2", TITLE, "valid_untrusted_issuer")
    assert checks(one)["signature"] == "passed"
    assert issuer_server.url("/ob2/assertions/sample") in cached(wallet)


def test_trusting_the_issuer_makes_it_valid(wallet: RunFn, issuer_server: RunningIssuer) -> None:
    assert wallet("trust", "add", issuer_server.did).exit_code == 0
    one = imported_one(wallet, issuer_server.url(issuer_server.issue("ldp_vc").path))
    assert one["verdict"] == "valid" and checks(one)["issuer_trust"] == "passed"


# -- by OpenID4VCI offer --------------------------------------------------------------------


@pytest.mark.parametrize("by_reference", [False, True], ids=["by_value", "by_reference"])
@pytest.mark.parametrize("tx_code", [False, True], ids=["no_tx_code", "tx_code"])
@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_import_an_offer(
    wallet: RunFn, issuer_server: RunningIssuer, config: str, tx_code: bool, by_reference: bool
) -> None:
    uri, code = issuer_server.offer(config, tx_code=tx_code, by_reference=by_reference)
    assert (code is not None) == tx_code
    assert ("credential_offer_uri=" in uri) == by_reference
    one = imported_one(wallet, uri, *(["--tx-code", code] if code else []))
    assert one["format"] == CONFIGS[config] and one["issuer"] == COLLEGE
    assert one["verdict"] == "valid_untrusted_issuer"
    assert checks(one)["signature"] == checks(one)["status"] == "passed"
    [record] = [r for r in issuer_server.issued() if r.id != "sample"]
    assert record.config_id == config
    # Bound to one of this wallet's own keys (by its did:key, or its JWK as did:jwk).
    assert record.subject in our_dids(wallet)
    [stored] = listed(wallet)
    assert stored["id"] == one["id"]


def test_the_tx_code_is_asked_for_at_a_terminal(
    wallet: RunFn, issuer_server: RunningIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wallet.cli_network.stdin_is_terminal", lambda: True)
    uri, code = issuer_server.offer("programme_sd_jwt", tx_code=True)
    assert code is not None
    result = wallet("--json", "import", uri, input=code + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        "The 6-digit transaction code the issuer sent you (the code sent to you by e-mail): "
    )
    assert result.json["results"][0]["format"] == "sd-jwt"
    assert len(listed(wallet)) == 1


def test_no_tx_code_and_no_terminal_is_a_usage_error_and_the_offer_stays_usable(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    uri, code = issuer_server.offer("programme_ldp_vc", tx_code=True)
    assert code is not None
    result = wallet("--json", "import", uri)
    assert result.exit_code == 2
    [error] = result.json["results"]
    assert error["code"] == "usage"
    assert error["error"] == (
        "this offer needs the transaction code the issuer sent you: pass --tx-code CODE"
    )
    assert listed(wallet) == [] and cached(wallet) == {}
    # Nothing was sent: the same offer still works with its code.
    assert imported_one(wallet, uri, "--tx-code", code)["format"] == "vc-jsonld"


# -- from a QR image ------------------------------------------------------------------------


def test_import_an_offer_from_a_qr_image(
    wallet: RunFn, issuer_server: RunningIssuer, tmp_path: Path
) -> None:
    uri, code = issuer_server.offer("programme_jwt_vc", tx_code=True, by_reference=True)
    assert code is not None
    picture = tmp_path / "offer.png"
    picture.write_bytes(qr.to_png(uri))
    one = imported_one(wallet, str(picture), "--tx-code", code)
    assert one["format"] == "vc-jwt" and one["verdict"] == "valid_untrusted_issuer"
    assert len(listed(wallet)) == 1


def test_import_a_credential_url_from_a_qr_image(
    wallet: RunFn, issuer_server: RunningIssuer, tmp_path: Path
) -> None:
    url = issuer_server.url(issuer_server.issue("dc+sd-jwt").path)
    picture = tmp_path / "link.png"
    picture.write_bytes(qr.to_png(url))
    one = imported_one(wallet, str(picture))
    assert one["format"] == "sd-jwt" and one["title"] == SD_JWT_TITLE
    assert checks(one)["signature"] == "passed"


# -- offline, then refresh ------------------------------------------------------------------


def verified(run: RunFn, credential_id: str) -> dict[str, Any]:
    result = run("--json", "verify", credential_id)
    report: dict[str, Any] = result.json
    assert result.exit_code == (0 if report["verdict"] == "valid" else 1)
    return report


def test_verify_offline_from_the_cache_once_the_issuer_is_gone(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    assert wallet("trust", "add", issuer_server.did).exit_code == 0
    assert wallet("trust", "add", issuer_server.base_url).exit_code == 0
    ids = [
        imported_one(wallet, issuer_server.url(issuer_server.issue("ldp_vc").path))["id"],
        imported_one(wallet, issuer_server.offer("programme_sd_jwt")[0])["id"],
        imported_one(wallet, issuer_server.url("/ob2/assertions/sample"))["id"],
    ]
    online = {i: verified(wallet, i) for i in ids}
    documents = cached(wallet)
    issuer_server.stop()

    for credential_id in ids:
        offline = verified(wallet, credential_id)
        assert offline["verdict"] == online[credential_id]["verdict"] == "valid"
        # The key and the status list were read from the cache, and passed.
        assert offline["checks"] == online[credential_id]["checks"]
        statuses = {c["name"]: (c["status"], c["detail"]) for c in offline["checks"]}
        assert statuses["signature"][0] == "passed"
        assert statuses["status"] == ("passed", statuses["status"][1])
        assert "list fetched" in statuses["status"][1]

    # Refresh cannot reach the issuer: exit 6, every failure named, the cache and the
    # verdicts as they were.
    result = wallet("--json", "refresh")
    assert result.exit_code == 6
    report = result.json
    assert report["fetched"] == [] and report["changed"] == [] and report["verdicts"] == []
    assert {f["url"] for f in report["failed"]} == set(documents)
    assert all("could not connect" in f["reason"] for f in report["failed"])
    assert cached(wallet) == documents
    assert [c["verdict"] for c in listed(wallet)] == ["valid"] * 3


@pytest.mark.parametrize(
    ("kind", "status_list"),
    [
        ("ldp_vc", "/status/bitstring/1"),
        ("dc+sd-jwt", "/status/token/1"),
        ("ob2", "/ob2/revocations"),
    ],
)
def test_a_revocation_shows_after_refresh(
    wallet: RunFn, issuer_server: RunningIssuer, kind: str, status_list: str
) -> None:
    sample = next(r for r in issuer_server.issued() if r.id == "sample")  # OB 2.0
    record = sample if kind == "ob2" else issuer_server.issue(kind)
    one = imported_one(wallet, issuer_server.url(record.path))
    list_url = issuer_server.url(status_list)
    first_fetch = cached(wallet)[list_url]
    assert verified(wallet, one["id"])["verdict"] == "valid_untrusted_issuer"

    issuer_server.revoke(record.id)
    # Offline the wallet still holds the old list: no change until a refresh.
    assert verified(wallet, one["id"])["verdict"] == "valid_untrusted_issuer"

    result = wallet("--json", "refresh")
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["credentials"] == 1 and report["failed"] == []
    assert list_url in report["fetched"] and list_url in report["changed"]
    assert report["verdicts"] == [
        {
            "id": one["id"],
            "title": one["title"],
            "before": "valid_untrusted_issuer",
            "after": "invalid",
        }
    ]
    [age] = [a for a in report["status_lists"] if a["url"] == list_url]
    assert age["refreshed"] is True and 0 <= age["age_seconds"] <= 60
    assert age["fetched_at"] == cached(wallet)[list_url] and age["fetched_at"] > first_fetch

    [stored] = listed(wallet)
    assert stored["verdict"] == "invalid"
    after = verified(wallet, one["id"])
    assert after["verdict"] == "invalid"
    assert {c["name"]: c["status"] for c in after["checks"]}["status"] == "failed"


def test_refresh_text_names_the_change(wallet: RunFn, issuer_server: RunningIssuer) -> None:
    record = issuer_server.issue("jwt_vc_json")
    one = imported_one(wallet, issuer_server.url(record.path))
    issuer_server.revoke(record.id)
    result = wallet("refresh")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Fetched ") and lines[0].endswith(" changed.")
    assert f"  changed: {issuer_server.url('/status/bitstring/1')}" in lines
    assert (
        f"  status list {issuer_server.url('/status/bitstring/1')}: refreshed, fetched just now"
        in lines
    )
    assert f"  {one['id'][:8]} {TITLE}: valid_untrusted_issuer -> invalid" in lines


def test_refresh_with_nothing_revoked_changes_no_verdict(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    imported_one(wallet, issuer_server.url(issuer_server.issue("dc+sd-jwt").path))
    result = wallet("--json", "refresh")
    assert result.exit_code == 0
    assert result.json["verdicts"] == [] and result.json["failed"] == []
    assert issuer_server.url("/status/token/1") in result.json["fetched"]
    assert [c["verdict"] for c in listed(wallet)] == ["valid_untrusted_issuer"]
