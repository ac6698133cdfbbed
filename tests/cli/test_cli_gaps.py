# ruff: noqa: F811
"""Gaps a new user found in the CLI: what `show` and `verify-presentation` leave out, and
risky defaults (delete without asking, a whole credential shown by default, nonce case)."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.conftest import RunFn, initialised, run, wallet_dir  # noqa: F401
from tests.cli.test_cli_credentials import holder_samples
from wallet import cli as cli_module

SD_TITLE = "Supply Chain Analytics (micro-credential)"
OB3_TITLE = "Data Analysis Fundamentals"
SKILLS = ["forecast demand", "optimise inventory", "use spreadsheets software"]


def imported(run: RunFn, tmp_path: Path) -> dict[str, str]:
    """The demo credentials imported: file name -> full id."""
    files = holder_samples(run, tmp_path / "in")
    result = run("--json", "import", *(str(p) for p in files.values()))
    assert result.exit_code == 0, result.stdout
    return {Path(r["source"]).name: r["id"] for r in result.json["results"]}


def section(text: str, name: str) -> list[str]:
    """The indented lines under a heading of `wallet show`."""
    lines = text.splitlines()
    start = lines.index(name) + 1
    body = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        body.append(line.strip())
    return body


def issued_at(tmp_path: Path) -> int:
    """The iat of the demo SD-JWT written by ``imported``."""
    jwt = (tmp_path / "in" / "sd.txt").read_bytes().split(b"~")[0]
    body = jwt.split(b".")[1]
    payload = json.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
    iat = payload["iat"]
    assert isinstance(iat, int)
    return iat


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_show_lists_what_an_sd_jwt_holds(initialised: RunFn, tmp_path: Path) -> None:
    ids = imported(initialised, tmp_path)
    text = initialised("show", ids["sd.txt"][:8]).stdout
    assert section(text, "Summative assessment") == ["Result: Grade / B+"]
    assert section(text, "Competencies / skills") == SKILLS
    assert section(text, "Transcriptable") == [
        "Credits earned: 2",
        "Code: SCA-210",
        "Term: Fall 2026",
    ]
    claims = dict(line.split(": ", 1) for line in section(text, "Claims"))
    assert claims["/grade"] == "B+"
    assert claims["/credits"] == "2"
    assert claims["/skills/1"] == "optimise inventory"
    assert claims["/given_name"] == "Alex"
    # iat is NumericDate seconds: shown as the date it is, never as the raw number.
    iat = issued_at(tmp_path)
    assert claims["/iat"] == iso(iat)
    assert str(iat) not in text
    assert claims["/cnf/jwk"] == "a holder key (OKP Ed25519)"
    shown = initialised("--json", "show", ids["sd.txt"][:8]).json
    components = {c["name"]: c for c in shown["components"]}
    assert components["Summative assessment"]["present"]
    assert components["Competencies / skills"]["lines"] == SKILLS


def test_search_still_finds_an_sd_jwt_skill(initialised: RunFn, tmp_path: Path) -> None:
    imported(initialised, tmp_path)
    found = initialised("--json", "list", "--search", "optimise inventory").json["credentials"]
    assert [c["title"] for c in found] == [SD_TITLE]


def test_claim_values_of_other_formats_are_listed(initialised: RunFn, tmp_path: Path) -> None:
    ids = imported(initialised, tmp_path)
    text = initialised("show", ids["ob2.png"][:8]).stdout
    assert "recipient.type: email" in section(text, "Claims")
    assert re.search(r"^  recipient\.hashed: true$", text, re.M)


def present(run: RunFn, ids: list[str], out: Path, nonce: str, *disclose: str) -> None:
    made = run(
        "present",
        *ids,
        *(x for path in disclose for x in ("--disclose", path)),
        "--audience",
        "Acme",
        "--nonce",
        nonce,
        "--out",
        str(out),
        "--yes",
    )
    assert made.exit_code == 0, made.stderr


def block(text: str, title: str) -> list[str]:
    """The lines `verify-presentation` prints for the credential titled ``title``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title + "  ("))
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def test_verify_presentation_shows_what_the_interviewer_is_given(
    initialised: RunFn, tmp_path: Path
) -> None:
    ids = imported(initialised, tmp_path)
    nonce = initialised("challenge").stdout.strip()
    out = tmp_path / "p.json"
    present(
        initialised, [ids["sd.txt"][:8], ids["ob3.json"][:8]], out, nonce, "/grade", "/skills/1"
    )
    result = initialised(
        "verify-presentation", str(out), "--audience", "Acme", "--nonce", nonce, "--no-wallet"
    )
    assert result.exit_code == 1  # genuine, but this verifier trusts no issuer yet
    whole = block(result.stdout, OB3_TITLE)
    assert whole[0] == f"{OB3_TITLE}  (Demo College of Applied Arts and Technology)"
    assert "  disclosed: the whole credential" in whole
    assert "    Result: Final grade / A-" in whole
    assert "    Credits earned: 3" in whole
    assert any(line.startswith("    use spreadsheets software [") for line in whole)
    assert (
        "    Demo Logistics Inc. (verified): Demo Logistics Inc. recognises this"
        " micro-credential for hiring."
        in whole
    )

    sd = block(result.stdout, SD_TITLE)
    at = sd.index("  disclosed claims:")
    assert sd[at + 1 : at + 3] == ["    /grade: B+", "    /skills/0: optimise inventory"]
    clear = sd.index("  signed in the clear:")
    iat = issued_at(tmp_path)
    assert f"    /iat: {iso(iat)}" in sd[clear:]
    assert str(iat) not in result.stdout
    assert "    Result: Grade / B+" in sd
    # Withheld claims are neither listed nor mapped.
    assert not any("Fall 2026" in line or "forecast demand" in line for line in sd)

    data = initialised(
        "--json",
        "verify-presentation",
        str(out),
        "--audience",
        "Acme",
        "--nonce",
        nonce,
        "--no-wallet",
    ).json
    by_title = {c["title"]: c for c in data["credentials"]}
    # The JSON keeps its shape (values as JSON, iat as seconds) and adds the components.
    assert by_title[SD_TITLE]["claims"]["iat"] == iat
    assert by_title[SD_TITLE]["claims"]["skills"] == ["optimise inventory"]
    assert by_title[SD_TITLE]["achievement"] == SD_TITLE
    components = {c["name"]: c for c in by_title[OB3_TITLE]["components"]}
    assert components["Summative assessment"]["lines"][-1] == "Result: Final grade / A-"
    sd_components = {c["name"]: c for c in by_title[SD_TITLE]["components"]}
    assert sd_components["Competencies / skills"]["lines"] == ["optimise inventory"]
    assert sd_components["Transcriptable"]["present"] is False


def titles(run: RunFn) -> list[str]:
    return sorted(c["title"] for c in run("--json", "list").json["credentials"])


def test_delete_without_yes_off_a_terminal_deletes_nothing(
    initialised: RunFn, tmp_path: Path
) -> None:
    ids = imported(initialised, tmp_path)
    before = titles(initialised)
    refused = initialised("delete", ids["sd.txt"][:8])
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1 and "--yes" in refused.stderr
    assert titles(initialised) == before


def test_delete_refuses_a_short_prefix(initialised: RunFn, tmp_path: Path) -> None:
    ids = imported(initialised, tmp_path)
    before = titles(initialised)
    for prefix in (ids["sd.txt"][:1], ids["sd.txt"][:3]):
        refused = initialised("delete", prefix, "--yes")
        assert refused.exit_code == 2 and "at least 4 characters" in refused.stderr
    assert titles(initialised) == before


def test_delete_with_yes_by_prefix_or_whole_id(initialised: RunFn, tmp_path: Path) -> None:
    ids = imported(initialised, tmp_path)
    gone = initialised("--json", "delete", ids["sd.txt"][:4], "--yes")
    assert gone.exit_code == 0 and gone.json == {"deleted": ids["sd.txt"]}
    assert SD_TITLE not in titles(initialised)
    whole = initialised("delete", ids["ob3.json"], "--yes")
    assert whole.exit_code == 0 and whole.stdout.startswith(f"Deleted {ids['ob3.json'][:8]} ")
    assert OB3_TITLE not in titles(initialised) and len(titles(initialised)) == 3


def test_delete_on_a_terminal_asks_and_defaults_to_no(
    initialised: RunFn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = imported(initialised, tmp_path)
    monkeypatch.setattr(cli_module, "stdin_is_terminal", lambda: True)
    kept = initialised("delete", ids["sd.txt"][:8], input="\n")
    assert kept.exit_code == 2 and "nothing deleted" in kept.stderr
    assert f"Delete {ids['sd.txt'][:8]} {SD_TITLE} from this wallet? [y/N]" in kept.stderr
    assert SD_TITLE in titles(initialised)
    gone = initialised("delete", ids["sd.txt"][:8], input="y\n")
    assert gone.exit_code == 0
    assert SD_TITLE not in titles(initialised)


def test_whole_credential_prompt_defaults_to_no(
    initialised: RunFn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = imported(initialised, tmp_path)
    monkeypatch.setattr(cli_module, "stdin_is_terminal", lambda: True)
    out = tmp_path / "p.json"
    args = ("present", ids["ob3.json"][:8], "--audience", "Acme", "--nonce", "K7QF-2M9X")
    declined = initialised(*args, "--out", str(out), input="\n")
    assert "Go on? [y/N]" in declined.stderr
    assert declined.exit_code == 2 and "nothing written" in declined.stderr
    assert not out.exists()
    accepted = initialised(*args, "--out", str(out), input="y\n")
    assert accepted.exit_code == 0 and out.exists()
    skipped = initialised(*args, "--out", str(tmp_path / "q.json"), "--yes")
    assert skipped.exit_code == 0 and "Go on?" not in skipped.stderr


def nonce_results(run: RunFn, out: Path, nonce: str) -> tuple[int, dict[str, str], set[str]]:
    """(exit code, verdict per title, nonce check statuses) of verifying with ``nonce``."""
    result = run("--json", "verify-presentation", str(out), "--audience", "Acme", "--nonce", nonce)
    items = result.json["credentials"]
    statuses = {c["status"] for item in items for c in item["checks"] if c["name"] == "nonce"}
    return result.exit_code, {i["title"]: i["verdict"] for i in items}, statuses


def test_a_nonce_read_aloud_matches_in_any_case_and_spacing(
    initialised: RunFn, tmp_path: Path
) -> None:
    from wallet.issuer.demo import BOOTCAMP, COLLEGE

    ids = imported(initialised, tmp_path)
    for issuer in (COLLEGE, BOOTCAMP):
        initialised("trust", "add", issuer.did)
    nonce = initialised("challenge").stdout.strip()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", nonce)
    out = tmp_path / "p.json"
    # One of each holder proof: a KB-JWT, a Data Integrity VP and a VP-JWT.
    present(
        initialised, [ids[n][:8] for n in ("sd.txt", "ob3.json", "vc.jwt")], out, nonce, "/grade"
    )
    exact = nonce_results(initialised, out, nonce)
    assert exact == (
        0,
        {SD_TITLE: "valid", OB3_TITLE: "valid", "Python for Automation": "valid"},
        {"passed"},
    )
    for heard in (nonce.lower(), nonce.replace("-", ""), nonce.lower().replace("-", " ")):
        assert nonce_results(initialised, out, heard) == exact, heard
    # The attack: a presentation made for another challenge still fails, in any case.
    other = nonce[:-1] + ("A" if nonce[-1] != "A" else "B")
    for wrong in (other, other.lower(), nonce[:4], nonce + "A", nonce.replace("-", "_")):
        code, verdicts, statuses = nonce_results(initialised, out, wrong)
        assert code == 1 and statuses == {"failed"}, wrong
        assert set(verdicts.values()) == {"invalid"}


def test_the_holder_signs_the_nonce_as_given_and_the_verifier_folds_it(
    initialised: RunFn, tmp_path: Path
) -> None:
    ids = imported(initialised, tmp_path)
    out = tmp_path / "p.json"
    present(initialised, [ids["sd.txt"][:8]], out, "k7qf 2m9x", "/grade")
    envelope = json.loads(out.read_text())
    assert envelope["nonce"] == "k7qf 2m9x"  # not rewritten on the holder's side
    assert nonce_results(initialised, out, "K7QF-2M9X")[2] == {"passed"}
    assert nonce_results(initialised, out, "K7QF-2M9Y")[2] == {"failed"}


def test_a_nonce_with_other_characters_is_compared_exactly(
    initialised: RunFn, tmp_path: Path
) -> None:
    ids = imported(initialised, tmp_path)
    out = tmp_path / "p.json"
    nonce = "Zm9v_YmFy.Q2"  # a verifier's own random nonce, not one to read aloud
    present(initialised, [ids["sd.txt"][:8], ids["ob3.json"][:8]], out, nonce, "/grade")
    assert nonce_results(initialised, out, nonce)[2] == {"passed"}
    for near in (nonce.lower(), nonce.upper(), nonce.replace("_", "-"), "Zm9vYmFyQ2"):
        assert nonce_results(initialised, out, near)[2] == {"failed"}, near


def test_claim_values_reach_the_terminal_only_as_safe_text(
    initialised: RunFn, tmp_path: Path
) -> None:
    from wallet.issuer.demo import COLLEGE
    from wallet.present import sdjwt as present_sd

    key = next(k for k in initialised("--json", "keys").json["keys"] if k["alg"] == "EdDSA")
    hostile = "B+\x1b[2J\nverdict: valid\u202e"
    text = present_sd.issue(
        {"name": "Hostile", "grade": hostile, "skills": ["a\rb"]},
        ["grade", "skills.0"],
        COLLEGE.key,
        iss=COLLEGE.did,
        holder_jwk=key["jwk"],
    )
    path = tmp_path / "hostile.txt"
    path.write_text(text)
    cid = initialised("--json", "import", str(path)).json["results"][0]["id"]
    shown = initialised("show", cid[:8]).stdout
    out = tmp_path / "p.json"
    present(initialised, [cid[:8]], out, "K7QF-2M9X", "/grade", "/skills/0")
    verified = initialised(
        "verify-presentation", str(out), "--audience", "Acme", "--nonce", "K7QF-2M9X"
    ).stdout
    for printed in (shown, verified):
        assert not any(ch in printed for ch in ("\x1b", "\r", "\u202e"))
        assert not any(line.startswith("verdict: valid") for line in printed.splitlines()[1:])
        assert any(line.strip().startswith("/grade: B+") for line in printed.splitlines())
