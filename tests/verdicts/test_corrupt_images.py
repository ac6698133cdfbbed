"""Class 12: a corrupt image is one line of malformed input (exit 5), never a traceback, and
one bad file in a folder does not stop the good files beside it from being imported."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import struct
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from wallet.cli import cli
from wallet.errors import MalformedInput
from wallet.formats import baking
from wallet.issuer.demo import COLLEGE
from wallet.issuer.samples import ob3_credential, sign
from wallet.present import qr

PASS = "correct horse battery staple"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 24), "white").save(out, "PNG")
    return out.getvalue()


def _run(wallet: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(
        cli, ["--wallet", str(wallet), *args], env={"WALLET_PASSPHRASE": PASS},
        catch_exceptions=False,
    )
    return r.exit_code, r.stdout, r.stderr


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    png = _png()
    (d / "truncated.png").write_bytes(png[: len(png) // 2])
    i = png.index(b"IDAT")
    (n,) = struct.unpack(">I", png[i - 4 : i])
    bad = bytearray(png)
    bad[i + 4 + n] ^= 0xFF
    (d / "badcrc.png").write_bytes(bytes(bad))
    (d / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(200)))
    baked = bytearray(baking.bake_png(png, b'{"a": 1}'))
    baked[baked.index(b"iTXt") + 6] ^= 0x55
    (d / "badbaked.png").write_bytes(bytes(baked))
    (d / "broken.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><x")
    # PIL raises SyntaxError on a chunk type that is not ASCII letters.
    (d / "syntax.png").write_bytes(png[:12] + b"\xe7\x1b\xc3\xcd" + png[16:])
    doc = ob3_credential(COLLEGE, credential_id="g", subject_id="did:example:a",
                         subject_name="A", achievement_name="Good One", description="d",
                         criteria="c")
    (d / "zgood.json").write_text(json.dumps(sign(doc, COLLEGE)))
    return d


def test_folder_import_goes_on_past_bad_images(tmp_path: Path) -> None:
    wallet = tmp_path / "w"
    assert _run(wallet, "init", "--weak-kdf")[0] == 0
    d = _folder(tmp_path)
    code, out, err = _run(wallet, "import", str(d))
    assert code == 5
    assert "Traceback" not in out + err
    for name in ("truncated", "badcrc", "garbage", "badbaked", "broken", "syntax"):
        assert name in err
    assert "Good One" in _run(wallet, "list")[1]
    for bad in ("syntax.png", "badcrc.png", "badbaked.png", "truncated.png"):
        code, out, err = _run(wallet, "verify", str(d / bad))
        assert code == 5 and err.count("\n") == 1 and "not a readable" in err
        code, out, err = _run(wallet, "verify-presentation", str(d / bad),
                              "--audience", "a", "--nonce", "n")
        assert code == 5 and err.count("\n") == 1 and "Traceback" not in err
    shutil.rmtree(d)


SEED = _png()


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)),
                          min_size=1, max_size=4).map(
                     lambda edits: bytes(_apply(SEED, edits)))))
def test_decoders_raise_only_malformed_input(data: bytes) -> None:
    for fn in (baking.unbake, lambda b: qr.read_qr_images([b], names=["x"])):
        with contextlib.suppress(MalformedInput):
            fn(data)


def _apply(seed: bytes, edits: list[tuple[int, int]]) -> bytearray:
    out = bytearray(seed)
    for at, value in edits:
        out[at] = value
    return out
