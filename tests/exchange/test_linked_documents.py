"""What verification read is what is stored: a hosted OB 2.0 assertion imported by URL keeps
the badge class and issuer fetched for it, and a key lookup's unused alternative (the
origin's JWKS when the jwt-vc-issuer metadata answers) failing does not refuse the import."""

from __future__ import annotations

from tests.exchange.conftest import RunFn
from tests.issuer.server_fixture import RunningIssuer


def test_a_hosted_assertion_is_stored_with_its_fetched_badge_class(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    result = wallet("--json", "import", issuer_server.url("/ob2/assertions/sample"))
    assert result.exit_code == 0, result.stderr
    [imported] = result.json["results"]
    assert imported["title"] == "Data Analytics Foundations"
    assert imported["issuer"] == "Harbourview College of Applied Technology"
    shown = wallet("--json", "show", imported["id"]).json
    assert shown["credential"]["achievement"]["name"] == "Data Analytics Foundations"


def test_an_sd_jwt_offer_imports_though_the_origin_has_no_jwks(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    uri, _ = issuer_server.offer("programme_sd_jwt")
    result = wallet("--json", "import", uri)
    assert result.exit_code == 0, result.stderr
    [imported] = result.json["results"]
    assert imported["verdict"] == "valid_untrusted_issuer"
    cached = {entry["url"] for entry in wallet("--json", "cache", "list").json["documents"]}
    assert issuer_server.url("/.well-known/jwt-vc-issuer") in cached
    assert issuer_server.url("/.well-known/jwks.json") not in cached
    # The text line names the offer's issuer, not hundreds of percent-encoded characters.
    again_uri, _ = issuer_server.offer("programme_sd_jwt")
    text = wallet("import", again_uri)
    assert text.stdout.startswith(f"credential offer from {issuer_server.base_url}: ")


def test_source_labels_name_an_offers_issuer_and_leave_other_sources_whole() -> None:
    from urllib.parse import quote

    from wallet.api import source_label

    by_value = "openid-credential-offer://?credential_offer=" + quote(
        '{"credential_issuer": "https://college.example", "credential_configuration_ids": []}'
    )
    by_reference = "openid-credential-offer://?credential_offer_uri=" + quote(
        "https://college.example/offers/1"
    )
    long_path = "/home/alex/" + "very-long-folder/" * 10 + "badge.png"
    assert source_label(by_value) == "credential offer from https://college.example"
    assert source_label(by_reference) == "credential offer from college.example"
    assert source_label("openid-credential-offer://?credential_offer=%7Bjunk") == (
        "credential offer"
    )
    assert source_label(long_path) == long_path
    assert source_label("https://college.example/badge.json") == (
        "https://college.example/badge.json"
    )


def test_the_same_badge_from_its_baked_png_and_its_url_is_one_credential(
    wallet: RunFn, issuer_server: RunningIssuer
) -> None:
    baked = wallet("--json", "import", issuer_server.url("/ob2/assertions/sample.png"))
    assert baked.exit_code == 0, baked.stderr
    [first] = baked.json["results"]
    assert first["duplicate"] is False
    hosted = wallet("--json", "import", issuer_server.url("/ob2/assertions/sample"))
    assert hosted.exit_code == 0, hosted.stderr
    [second] = hosted.json["results"]
    assert second["duplicate"] is True and second["id"] == first["id"]
    assert len(wallet("--json", "list").json["credentials"]) == 1
    # Control: another assertion of the same badge class is a credential of its own.
    other = issuer_server.issue("ob2")
    third = wallet("--json", "import", issuer_server.url(other.path))
    assert third.exit_code == 0 and third.json["results"][0]["duplicate"] is False
    assert len(wallet("--json", "list").json["credentials"]) == 2
