# ruff: noqa: F811
"""Gaps a new user found in the CLI: what `show` and `verify-presentation` leave out, and
risky defaults (delete without asking, a whole credential shown by default, nonce case)."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from tests.cli.conftest import RunFn, initialised, run, wallet_dir  # noqa: F401
from tests.cli.test_cli_credentials import holder_samples

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
