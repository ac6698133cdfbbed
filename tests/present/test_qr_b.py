"""LW1, second set: the QR capacity and mode checked against the qrcode library itself, a
real SD-JWT+KB presentation through PNG, property-based byte-exact round trips, and more
ways a scan can be wrong."""

from __future__ import annotations

import base64
import contextlib
import random
import time
import zlib
from typing import Any

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st
from qrcode.util import ALPHA_NUM, QRData

from wallet.errors import MalformedInput, UsageError, WalletError
from wallet.present import base45, qr
from wallet.present import sdjwt as present_sd
from wallet.present.envelope import Part, build_envelope
from wallet.verify import keys


def version_for(text: str) -> int:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(QRData(text, mode=qr.ALPHANUMERIC_MODE), optimize=0)
    code.make(fit=True)
    return int(code.version)


def test_capacity_is_what_qrcode_says_for_version_20_m() -> None:
    assert version_for("A" * qr.QR_CAPACITY) == qr.MAX_QR_VERSION
    assert version_for("A" * (qr.QR_CAPACITY + 1)) == qr.MAX_QR_VERSION + 1


def test_base45_alphabet_is_the_qr_alphanumeric_charset() -> None:
    assert set(base45.ALPHABET) == set(ALPHA_NUM.decode())
    assert qrcode.util.optimal_mode(qr.PREFIX.encode() + b"1/2:ABCDEF:") == qr.ALPHANUMERIC_MODE


def typical_sd_jwt_presentation() -> bytes:
    """One credential, ten selectively disclosable claims, three disclosed, KB-JWT; ES256."""
    issuer = ec.generate_private_key(ec.SECP256R1())
    holder = ec.generate_private_key(ec.SECP256R1())
    claims: dict[str, Any] = {
        "iss": "https://registrar.example.edu",
        "iat": int(time.time()),
        "vct": "https://credentials.example.edu/diploma",
        "given_name": "Alex",
        "family_name": "Rivera",
        "birthdate": "2001-04-17",
        "student_id": "S-20231187",
        "degree": "Bachelor of Science",
        "major": "Computer Science",
        "gpa": "3.71",
        "honors": "cum laude",
        "graduation_date": "2025-06-14",
        "email": "alex.rivera@example.org",
        "cnf": {"jwk": keys.jwk_from_public_key(holder.public_key())},
    }
    disclosable = [k for k in claims if k not in ("iss", "iat", "vct", "cnf")]
    assert len(disclosable) == 10
    issued = present_sd.issue(claims, disclosable, issuer, iss=claims["iss"], kid="key-1")
    shown = present_sd.present(
        issued,
        ["degree", "major", "graduation_date"],
        holder,
        audience="https://hiring.acme.example",
        nonce="n-0S6_WzA2Mj",
    )
    assert shown.count("~") == 4  # issuer JWT, three disclosures, KB-JWT
    return build_envelope(
        [Part("sd-jwt", shown)],
        audience="https://hiring.acme.example",
        nonce="n-0S6_WzA2Mj",
        created="2026-11-23T10:00:00Z",
    )


def test_typical_sd_jwt_presentation_through_png() -> None:
    data = typical_sd_jwt_presentation()
    payloads = qr.encode(data)
    assert len(payloads) <= 2
    assert sum(len(p) for p in payloads) < len(base64.b64encode(data))
    assert all(set(p) <= set(ALPHA_NUM.decode()) for p in payloads)
    images = [qr.to_png(p) for p in payloads]
    assert qr.decode(qr.read_qr_images(images[::-1])) == data


def test_single_code_body_never_looks_like_a_part() -> None:
    """zlib's header makes every body start with the same letter, never a part number."""
    for seed in range(20):
        rng = random.Random(seed)
        data = build_envelope(
            [Part("vp-jwt", base64.urlsafe_b64encode(rng.randbytes(50)).decode().rstrip("="))],
            audience="a",
            nonce="n",
            created="c",
        )
        (payload,) = qr.encode(data)
        assert not payload[len(qr.PREFIX)].isdigit()


def many_parts(seed: int = 1) -> tuple[bytes, list[str]]:
    rng = random.Random(seed)
    jwt = ".".join(base64.urlsafe_b64encode(rng.randbytes(n)).decode() for n in (40, 900, 64))
    data = build_envelope([Part("vp-jwt", jwt)], audience="a", nonce="n", created="c")
    return data, qr.encode(data, capacity=300)


def test_same_set_but_other_part_count_is_refused() -> None:
    _, payloads = many_parts()
    n = len(payloads)
    forged = payloads[0].replace(f"1/{n}:", f"1/{n + 1}:", 1)
    with pytest.raises(MalformedInput, match="two different presentations"):
        qr.decode([*payloads[1:], forged])


def test_part_number_out_of_range() -> None:
    _, payloads = many_parts()
    n = len(payloads)
    forged = payloads[0].replace(f"1/{n}:", f"{n + 1}/{n}:", 1)
    with pytest.raises(MalformedInput, match=f"part number {n + 1} of {n} is out of range"):
        qr.decode([*payloads, forged])


def test_single_code_mixed_with_parts() -> None:
    _, payloads = many_parts()
    single = qr.encode(
        build_envelope([Part("vp-jwt", "a.b.c")], audience="a", nonce="n", created="c")
    )
    with pytest.raises(MalformedInput, match="mixed"):
        qr.decode([*payloads, *single])


def test_only_the_last_part_missing() -> None:
    _, payloads = many_parts()
    n = len(payloads)
    with pytest.raises(MalformedInput, match=f"QR part {n} of {n} is missing"):
        qr.decode(payloads[:-1])


def test_trailing_bytes_after_the_compressed_data_are_refused() -> None:
    data = build_envelope([Part("vp-jwt", "a.b.c")], audience="a", nonce="n", created="c")
    compressed = zlib.compress(qr.pack(data), 9)
    assert qr.decode([qr.PREFIX + base45.encode(compressed)]) == data
    with pytest.raises(MalformedInput, match="trailing"):
        qr.decode([qr.PREFIX + base45.encode(compressed + b"junk")])


def test_truncated_compressed_data() -> None:
    data = typical_sd_jwt_presentation()
    compressed = zlib.compress(qr.pack(data), 9)
    with pytest.raises(MalformedInput, match=r"truncated|cannot inflate"):
        qr.decode([qr.PREFIX + base45.encode(compressed[: len(compressed) // 2])])


def test_non_canonical_file_is_not_put_in_qr_codes() -> None:
    data = build_envelope([Part("vp-jwt", "a.b.c")], audience="a", nonce="n", created="c")
    with pytest.raises(UsageError):
        qr.encode(data.replace(b",", b", "))


# -- properties -------------------------------------------------------------------------------

b64_segment = st.binary(max_size=120).map(
    lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
)
text_segment = st.text(max_size=12).filter(lambda t: "." not in t and "~" not in t)
compact = st.lists(st.one_of(b64_segment, text_segment), min_size=1, max_size=8).flatmap(
    lambda segs: st.lists(
        st.sampled_from(".~"), min_size=len(segs) - 1, max_size=len(segs) - 1
    ).map(lambda seps: segs[0] + "".join(s + g for s, g in zip(seps, segs[1:], strict=True)))
)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3)
    ),
    max_leaves=10,
)
part = st.one_of(
    st.tuples(st.sampled_from(["sd-jwt", "vp-jwt"]), compact),
    st.tuples(st.just("vp-ldp"), st.dictionaries(st.text(max_size=6), json_value, max_size=4)),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(part, min_size=1, max_size=3),
    st.text(max_size=20),
    st.text(max_size=20),
    st.sampled_from([200, qr.QR_CAPACITY]),
    st.randoms(use_true_random=False),
)
def test_round_trip_is_byte_exact(
    parts: list[tuple[str, Any]], audience: str, nonce: str, capacity: int, rng: random.Random
) -> None:
    data = build_envelope(
        [Part(f, d) for f, d in parts], audience=audience, nonce=nonce, created="2026-11-23"
    )
    payloads = qr.encode(data, capacity=capacity)
    assert all(len(p) <= capacity for p in payloads)
    rng.shuffle(payloads)
    assert qr.decode(payloads) == data


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_frames_only_raise_wallet_errors(frame: bytes) -> None:
    """Valid Base45 and deflate around arbitrary frames reaches the frame parser."""
    payload = qr.PREFIX + base45.encode(zlib.compress(bytes([qr.FRAME_VERSION]) + frame))
    with contextlib.suppress(WalletError):
        qr.decode([payload])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=60).map(lambda t: "LW1:" + t), min_size=1, max_size=4))
def test_fuzz_any_text_only_raises_wallet_errors(payloads: list[str]) -> None:
    with contextlib.suppress(WalletError):
        qr.decode(payloads)


def test_all_parts_in_one_screenshot() -> None:
    """A verifier may photograph every code at once: each is found in the one image."""
    import io

    from PIL import Image

    data, payloads = many_parts(seed=3)
    codes = [Image.open(io.BytesIO(qr.to_png(p))).convert("L") for p in payloads]
    sheet = Image.new("L", (sum(c.width for c in codes), max(c.height for c in codes)), 255)
    x = 0
    for code in codes:
        sheet.paste(code, (x, 0))
        x += code.width
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    found = qr.read_qr_images([out.getvalue()])
    assert sorted(found) == sorted(payloads)
    assert qr.decode(found) == data


def test_blank_image_names_the_file() -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 400), "white").save(out, format="JPEG")
    png = qr.to_png(qr.encode(many_parts()[0], capacity=300)[0])
    with pytest.raises(MalformedInput, match=r"^no QR code found in scan-2\.jpg$"):
        qr.read_qr_images([png, out.getvalue()], names=["scan-1.png", "scan-2.jpg"])
