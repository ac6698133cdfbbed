"""The cheap parts of packaging: what the wheel and sdist hold (built in-process with
hatchling, no network), the sample credentials the smoke test imports, the desktop entry,
and the demo's hint. The artifact installs and the binary are .ci/run steps, not tests."""

from __future__ import annotations

import configparser
import importlib.util
import json
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import defusedxml.ElementTree as ET
import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

from wallet.api import VerifyContext, parse_credential, verify_credential
from wallet.issuer import demo

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SAMPLES = PACKAGING / "samples"
CREDENTIALS = ("ob3-eddsa-rdfc-2022.json", "ob3-ecdsa-rdfc-2019.json", "vc-jose.jwt")


def _check_dist() -> ModuleType:
    # packaging/ is not a Python package (and `packaging` is taken by pip's library).
    spec = importlib.util.spec_from_file_location("check_dist", PACKAGING / "check_dist.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    wheel = next(iter(WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])))
    sdist = next(iter(SdistBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])))
    return Path(wheel), Path(sdist)


def test_wheel_and_sdist_hold_every_package_file(built: tuple[Path, Path]) -> None:
    wheel, sdist = built
    check = _check_dist()
    assert check.wheel_problems(wheel) == []
    assert check.sdist_problems(sdist) == []
    with zipfile.ZipFile(wheel) as zf:
        contexts = [n for n in zf.namelist() if n.startswith("wallet/verify/contexts/")]
    assert len(contexts) >= 20


def test_a_wheel_missing_a_context_is_caught(built: tuple[Path, Path], tmp_path: Path) -> None:
    wheel, _ = built
    dropped = "wallet/verify/contexts/credentials-v2.jsonld"
    broken = tmp_path / wheel.name
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            if item.filename != dropped:
                dst.writestr(item, src.read(item))
    assert f"missing from the wheel: {dropped}" in _check_dist().wheel_problems(broken)


@pytest.mark.parametrize("name", CREDENTIALS)
def test_smoke_samples_still_verify(name: str) -> None:
    credential = parse_credential((SAMPLES / name).read_bytes())
    report = verify_credential(credential, VerifyContext())
    assert report.verdict.value == "valid_untrusted_issuer"
    assert {c.name: c.status.value for c in report.checks}["signature"] == "passed"


def test_a_tampered_sample_is_invalid() -> None:
    text = (SAMPLES / CREDENTIALS[0]).read_text().replace("Safe Workshop", "Unsafe Workshop")
    report = verify_credential(parse_credential(text.encode()), VerifyContext())
    assert report.verdict.value == "invalid"


def test_sample_trust_list_names_the_college_sample_issuer() -> None:
    trusted = {i["id"] for i in json.loads((SAMPLES / "trust.json").read_text())["issuers"]}
    college = parse_credential((SAMPLES / CREDENTIALS[0]).read_bytes())
    assert trusted == {college.issuer.id}


def test_desktop_entry_opens_the_app_in_a_terminal() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(PACKAGING / "learner-wallet.desktop")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"] == "wallet"
    assert section["Terminal"] == "true"
    assert (PACKAGING / f"{section['Icon']}.svg").is_file()
    root = ET.parse(PACKAGING / f"{section['Icon']}.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def _hint(monkeypatch: pytest.MonkeyPatch, argv0: Path, path: str) -> str:
    monkeypatch.setattr(sys, "argv", [str(argv0), "demo"])
    monkeypatch.setenv("PATH", path)
    summary = {"wallet": "/w", "passphrase": "p", "credentials": []}
    return demo.describe(summary)


def _venv_wallet(tmp_path: Path) -> Path:
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    script = tmp_path / "venv" / "bin" / "wallet"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    return script


def test_demo_hint_names_the_venv_wallet_when_it_is_not_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _venv_wallet(tmp_path)
    text = _hint(monkeypatch, script, str(tmp_path / "empty"))
    assert f"  {script} show <id>" in text
    assert f"source {tmp_path / 'venv'}/bin/activate" in text
    assert "\n  wallet show" not in text


def test_demo_hint_says_plain_wallet_when_that_is_the_one_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _venv_wallet(tmp_path)
    text = _hint(monkeypatch, script, str(script.parent))
    assert "\n  wallet show <id>" in text
    assert "activate" not in text
