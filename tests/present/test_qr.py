"""LW1 QR transport: Base45, byte-exact round trips through real images, and bad scans."""

from __future__ import annotations

import contextlib
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from wallet.errors import MalformedInput, WalletError
from wallet.present import base45, qr
from wallet.present.envelope import Part, build_envelope


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
    ],
)
def test_base45_rfc9285_examples(raw: bytes, encoded: str) -> None:
    assert base45.encode(raw) == encoded
    assert base45.decode(encoded) == raw


@pytest.mark.parametrize("bad", ["GGW", "ZZZ", "A", "abc"])
def test_base45_rejects_bad_text(bad: str) -> None:
    with pytest.raises(MalformedInput):
        base45.decode(bad)


def fake_sd_jwt(rng: random.Random, disclosures: int) -> str:
    def seg(n: int) -> str:
        import base64

        return base64.urlsafe_b64encode(rng.randbytes(n)).rstrip(b"=").decode()

    jwt = ".".join([seg(40), seg(200 + 10 * disclosures), seg(64)])
    return (
        jwt
        + "~"
        + "".join(seg(60) + "~" for _ in range(disclosures))
        + ".".join([seg(30), seg(120), seg(64)])
    )


def envelope(disclosures: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    return build_envelope(
        [Part("sd-jwt", fake_sd_jwt(rng, disclosures))],
        audience="Acme Hiring",
        nonce="K7QF-2M9X",
        created="2026-11-23T10:00:00Z",
    )


def test_single_code_round_trip_through_png() -> None:
    data = envelope(0)
    payloads = qr.encode(data)
    assert len(payloads) == 1 and payloads[0].startswith("LW1:")
    scanned = qr.read_qr_images([qr.to_png(payloads[0])])
    assert qr.decode(scanned) == data  # byte-exact


def test_multi_part_round_trip_in_any_order() -> None:
    data = envelope(40, seed=2)
    payloads = qr.encode(data)
    assert len(payloads) >= 3
    sizes = {len(p) for p in payloads}
    assert max(sizes) - min(sizes) <= 1 + len(str(len(payloads)))  # balanced
    assert all(len(p) <= qr.QR_CAPACITY and qr.qr_version(p) <= 20 for p in payloads)
    images = [qr.to_png(p) for p in payloads]
    random.Random(3).shuffle(images)
    assert qr.decode(qr.read_qr_images(images)) == data


def test_svg_and_terminal_renderings() -> None:
    payload = qr.encode(envelope(0))[0]
    assert qr.to_svg(payload).lstrip().startswith(b"<?xml")
    text = qr.to_terminal(payload)
    assert {"█", "▀", "▄"} & set(text)


def test_packing_beats_plain_base64_of_the_file() -> None:
    import base64

    data = envelope(10, seed=4)
    assert sum(len(p) for p in qr.encode(data)) < len(base64.b64encode(data))


def split_part(payload: str) -> tuple[str, str]:
    """(header up to the set id, chunk): Base45 chunks may themselves contain ':'."""
    match = qr._PART_RE.fullmatch(payload)
    assert match is not None
    chunk = match[4]
    return payload[: len(payload) - len(chunk) - 1], chunk


def test_missing_part() -> None:
    payloads = qr.encode(envelope(40, seed=5))
    with pytest.raises(MalformedInput, match=rf"QR part 2 of {len(payloads)} is missing"):
        qr.decode([payloads[0], *payloads[2:]])


def test_part_from_another_presentation() -> None:
    mine = qr.encode(envelope(40, seed=6))
    theirs = qr.encode(envelope(40, seed=7))
    with pytest.raises(MalformedInput, match="two different presentations"):
        qr.decode([*mine[:-1], theirs[-1]])


def test_duplicated_part_identical_is_ignored_and_conflicting_is_refused() -> None:
    payloads = qr.encode(envelope(40, seed=8))
    data = qr.decode([*payloads, payloads[0]])
    assert data == envelope(40, seed=8)
    head, chunk = split_part(payloads[0])
    altered = head + ":" + ("A" if chunk[0] != "A" else "B") + chunk[1:]
    with pytest.raises(MalformedInput, match="scanned twice with different content"):
        qr.decode([*payloads, altered])


def test_corrupted_chunk_is_detected() -> None:
    payloads = qr.encode(envelope(40, seed=9))
    head, chunk = split_part(payloads[1])
    broken = head + ":" + chunk[:-3] + ("XYZ" if chunk[-3:] != "XYZ" else "ABC")
    with pytest.raises(MalformedInput, match="do not fit together"):
        qr.decode([payloads[0], broken, *payloads[2:]])


def test_corrupted_images() -> None:
    noise = Image.frombytes("L", (300, 300), random.Random(1).randbytes(300 * 300))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    with pytest.raises(MalformedInput, match=r"no QR code found in photo\.png"):
        qr.read_qr_images([out.getvalue()], names=["photo.png"])
    png = qr.to_png(qr.encode(envelope(0))[0])
    with pytest.raises(MalformedInput, match=r"not a readable image|no QR code"):
        qr.read_qr_images([png[: len(png) // 3]], names=["cut.png"])


def test_spaces_at_chunk_edges_survive() -> None:
    """Base45 has a space: a part may start or end with one, and must not be trimmed."""
    found = 0
    for seed in range(200):
        payloads = qr.encode(envelope(40, seed=seed))
        chunks = [split_part(p)[1] for p in payloads]
        if any(c.startswith(" ") or c.endswith(" ") for c in chunks):
            found += 1
            assert qr.decode(payloads) == envelope(40, seed=seed)
            assert qr.decode([p + "\n" for p in payloads]) == envelope(40, seed=seed)
        if found >= 3:
            break
    assert found >= 1


def test_not_a_wallet_code() -> None:
    with pytest.raises(MalformedInput, match="not a Learner Wallet presentation"):
        qr.decode(["https://example.com/badge"])


def test_deflate_bomb_is_refused() -> None:
    import zlib

    bomb = "LW1:" + base45.encode(zlib.compress(b"\x01" + b"\x00" * (8 * 1024 * 1024), 9))
    with pytest.raises(WalletError):
        qr.decode([bomb])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=base45.ALPHABET + "LW1:/", max_size=80), max_size=4))
def test_fuzz_decode_only_raises_wallet_errors(payloads: list[str]) -> None:
    with contextlib.suppress(WalletError):
        qr.decode(payloads)
