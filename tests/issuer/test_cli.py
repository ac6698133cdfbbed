"""python -m wallet.issuer: serve, offer, revoke, list, issue, ca-path; one-line errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from wallet.issuer.__main__ import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.mark.parametrize("command", ["serve", "offer", "revoke", "list", "issue", "ca-path"])
def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = _run(capsys, command, "--help")
    assert code == 0 and "Usage:" in out and "--state-dir" in out


def test_offer_prints_the_uri_and_the_tx_code_apart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    qr = tmp_path / "offer.png"
    code, out, err = _run(
        capsys,
        "offer",
        "--config",
        "programme_sd_jwt",
        "--tx-code",
        "--qr",
        str(qr),
        "--state-dir",
        str(tmp_path),
        "--public-url",
        "https://localhost:9443",
    )
    assert code == 0
    [uri] = out.splitlines()  # not a tty: no terminal QR
    offer = json.loads(parse_qs(urlsplit(uri).query)["credential_offer"][0])
    assert offer["credential_issuer"] == "https://localhost:9443"
    tx = re.search(r"tx_code: (\d{6})", err)
    assert tx is not None and tx.group(1) not in uri
    from wallet.present.qr import read_qr_images

    assert read_qr_images([qr.read_bytes()]) == [uri]


def test_offer_by_reference(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(
        capsys,
        "offer",
        "--config",
        "programme_ldp_vc",
        "--by-reference",
        "--state-dir",
        str(tmp_path),
    )
    assert code == 0
    assert out.startswith(
        "openid-credential-offer://?credential_offer_uri=https%3A//localhost%3A8443/offers/"
    )


@pytest.mark.parametrize(
    ("argv", "exit_code", "says"),
    [
        (["offer"], 2, "Missing option '--config'"),
        (["offer", "--config", "nope"], 2, "unknown configuration 'nope'"),
        (["offer", "--config", "programme_sd_jwt", "--qr", "x.jpg"], 2, ".png"),
        (["revoke", "no-such-id"], 4, "no issued credential"),
        (["serve", "--public-url", "ftp://x"], 2, "https URL"),
        (["serve", "--http", "--host", "0.0.0.0"], 2, "loopback"),
        (["issue", "mdoc"], 2, "Invalid value"),
        (["frobnicate"], 2, "No such command"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    exit_code: int,
    says: str,
) -> None:
    code, out, err = _run(
        capsys, *argv, *(["--state-dir", str(tmp_path)] if argv[0] != "frobnicate" else [])
    )
    assert code == exit_code
    assert out == "" and len(err.strip().splitlines()) == 1 and says in err
    assert err.startswith("error: ")


def test_issue_list_revoke(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = ["--state-dir", str(tmp_path)]
    code, out, _ = _run(capsys, "issue", "dc+sd-jwt", *state)
    assert code == 0 and "/credentials/" in out
    credential_id = out.strip().rsplit("/", 1)[1]
    code, out, _ = _run(capsys, "list", "--json", *state)
    records = {r["id"]: r for r in json.loads(out)}
    assert set(records) == {"sample", credential_id}
    assert records[credential_id]["revoked"] is False
    assert _run(capsys, "revoke", credential_id[:8], *state)[0] == 0
    code, out, _ = _run(capsys, "list", *state)
    assert re.search(rf"{credential_id}\s+dc\+sd-jwt\s+revoked", out)


def test_ca_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "ca-path", "--state-dir", str(tmp_path))
    assert code == 0 and Path(out.strip()) == tmp_path / "tls" / "ca.pem"
    assert Path(out.strip()).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_serve_prints_where_and_the_ca_and_serves(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wallet.issuer",
            "serve",
            "--port",
            "0",
            "--state-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.fullmatch(
            r"issuer (https://localhost:(\d+)) listening on 127\.0\.0\.1:\2; CA (\S+); "
            r"export WALLET_CA_FILE=\3\n",
            line,
        )
        assert found, line
        base, ca = found.group(1), found.group(3)
        assert process.stdout.readline() == f"example verifier (OpenID4VP): {base}/verifier/\n"
        assert Path(ca) == tmp_path / "tls" / "ca.pem"
        import ssl

        response = httpx.get(
            base + "/.well-known/did.json", verify=ssl.create_default_context(cafile=ca)
        )
        assert response.json()["id"] == f"did:web:localhost%3A{found.group(2)}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_refuses_a_port_in_use(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, _, err = _run(capsys, "serve", "--port", str(port), "--state-dir", str(tmp_path))
    assert code == 6 and f"cannot listen on 127.0.0.1:{port}" in err


def test_the_server_stack_stays_optional() -> None:
    # The wallet and the issuer's offer/revoke/list code load neither Starlette nor uvicorn.
    code = (
        "import sys, wallet.cli, wallet.api, wallet.issuer.__main__, wallet.issuer.demo\n"
        "from wallet.issuer.server import oid4vci, credentials, state, status, ob2, tls\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    # Control: the app does load them.
    code = "import sys, wallet.issuer.server.app; print('starlette' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"
