"""The QR writer (zxing-cpp's, zint inside) checked with zxing-cpp's reader as the oracle:
every payload, PNG, SVG and terminal rendering scans back to the exact text, in the version
the qrcode library computes for the same text, ECC level M."""

from __future__ import annotations

import io
import random
import re

import pytest
import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from qrcode.util import QRData

from tests.present.test_qr import envelope
from wallet.errors import UsageError
from wallet.present import base45, qr

QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _qrcode_version(text: str) -> int:
    """The reference library's smallest version for ``text`` in alphanumeric mode, ECC M."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(QRData(text, mode=qr.ALPHANUMERIC_MODE), optimize=0)
    code.make(fit=True)
    return int(code.version)


def _scan(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image.convert("L"), formats=QR_ONLY))


def _image_of(matrix: list[list[bool]], scale: int = 4) -> Image.Image:
    image = Image.new("L", (len(matrix[0]), len(matrix)), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


payloads = st.text(alphabet=base45.ALPHABET, min_size=1, max_size=qr.QR_CAPACITY - 4).map(
    lambda body: qr.PREFIX + body
)


@settings(max_examples=60, deadline=None)
@given(payloads)
def test_every_payload_scans_back_byte_identical(payload: str) -> None:
    (found,) = _scan(Image.open(io.BytesIO(qr.to_png(payload))))
    assert found.bytes == payload.encode("ascii")
    assert found.text == payload
    # Alphanumeric mode, ECC M, no ECI header: the smallest version for this text.
    assert found.extra["ECLevel"] == "M"
    assert found.symbology_identifier == "]Q1"
    assert qr.qr_version(payload) == int(found.extra["Version"]) == _qrcode_version(payload)
    assert qr.qr_version(payload) <= qr.MAX_QR_VERSION


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 40), st.integers(0, 10_000))
def test_presentations_round_trip_through_png_byte_exact(disclosures: int, seed: int) -> None:
    data = envelope(disclosures, seed=seed)
    codes = qr.encode(data)
    images = [qr.to_png(code) for code in codes]
    random.Random(seed).shuffle(images)
    assert qr.decode(qr.read_qr_images(images)) == data


def _terminal_matrix(text: str) -> list[list[bool]]:
    """Back from half blocks to modules (True dark): light is the block, dark the gap."""
    top = {"█": False, "▀": False, "▄": True, " ": True}
    bottom = {"█": False, "▀": True, "▄": False, " ": True}
    matrix = []
    for line in text.split("\n"):
        matrix.append([top[c] for c in line])
        matrix.append([bottom[c] for c in line])
    return matrix


@pytest.mark.parametrize("disclosures", [0, 12])
def test_terminal_rendering_is_the_same_code(disclosures: int) -> None:
    for payload in qr.encode(envelope(disclosures)):
        matrix = qr.symbol(payload).get_matrix()
        drawn = _terminal_matrix(qr.to_terminal(payload))
        assert drawn[: len(matrix)] == matrix
        # An odd number of rows: the last line's lower half is one more light row.
        assert len(drawn) == len(matrix) + 1 and not any(drawn[-1])
        # The quiet zone is there: the outer BORDER rings are light.
        assert not any(matrix[0]) and not any(row[0] for row in matrix)
        (found,) = _scan(_image_of(matrix))
        assert found.text == payload


def _svg_matrix(svg: str) -> tuple[int, list[list[bool]]]:
    """zint's SVG: a white rect, then one path of axis-aligned rectangles 'Mx yhWvHh-WZ'."""
    size = int(re.search(r'<svg width="(\d+)"', svg)[1])  # type: ignore[index]
    path = re.search(r' d="([^"]+)"', svg)[1]  # type: ignore[index]
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+Z", path):
        x0, y0 = int(x), int(y)
        draw.rectangle((x0, y0, x0 + int(w) - 1, y0 + int(h) - 1), fill=0)
    pixels = image.tobytes()
    return size, [[pixels[y * size + x] == 0 for x in range(size)] for y in range(size)]


def test_svg_rendering_is_the_same_code() -> None:
    payload = qr.encode(envelope(3))[0]
    svg = qr.to_svg(payload).decode()
    size, drawn = _svg_matrix(svg)
    matrix = qr.symbol(payload).get_matrix()
    scale = size // len(matrix)
    assert size == scale * len(matrix)
    assert [row[::scale] for row in drawn[::scale]] == matrix
    (found,) = _scan(_image_of(drawn, scale=1))
    assert found.text == payload


def test_png_is_black_on_white_at_eight_pixels_a_module() -> None:
    payload = qr.encode(envelope(0))[0]
    image = Image.open(io.BytesIO(qr.to_png(payload)))
    matrix = qr.symbol(payload).get_matrix()
    assert image.size == (len(matrix) * qr.PNG_SCALE,) * 2
    grey = image.convert("L")
    step = qr.PNG_SCALE
    sampled = [
        [grey.getpixel((x * step + 3, y * step + 3)) == 0 for x in range(len(matrix))]
        for y in range(len(matrix))
    ]
    assert sampled == matrix
    assert set(grey.tobytes()) == {0, 255}


def test_the_cached_code_cannot_be_changed_through_a_matrix() -> None:
    payload = qr.PREFIX + "CACHE TEST"
    first = qr.symbol(payload).get_matrix()
    first[5][5] = not first[5][5]
    assert qr.symbol(payload).get_matrix() != first
    assert qr.symbol(payload) is qr.symbol(payload)  # built once


def test_too_long_and_empty_payloads_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="version 21"):
        qr.symbol(qr.PREFIX + "A" * qr.QR_CAPACITY)
    with pytest.raises(UsageError, match="cannot be encoded"):
        qr.symbol("A" * 9000)
    with pytest.raises(UsageError, match="cannot be encoded"):
        qr.symbol("")
