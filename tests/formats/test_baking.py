from __future__ import annotations

import json
import struct
import zlib

import pytest

from wallet.errors import InputTooLarge, MalformedInput, UnsupportedInput, WalletError
from wallet.formats import baking, registry


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def _insert_after_ihdr(png: bytes, chunk: bytes) -> bytes:
    end = 8 + 12 + 13  # signature + IHDR
    return png[:end] + chunk + png[end:]


def test_baked_heart_payload_is_the_hosted_assertion(baked_heart: bytes) -> None:
    keyword, payload = baking.extract(baked_heart)
    assert keyword == "openbadges"
    doc = json.loads(payload)
    assert doc["type"] == "Assertion"
    assert doc["recipient"]["salt"] == "deadsea"


def test_unbaked_png_says_no_badge(heart: bytes) -> None:
    with pytest.raises(UnsupportedInput, match="no baked badge"):
        baking.unbake(heart)


@pytest.mark.parametrize("keyword", ["openbadges", "openbadgecredential"])
def test_png_round_trip(heart: bytes, kit, keyword: str) -> None:
    payload = kit.to_bytes(kit.assertion())
    baked = baking.bake_png(heart, payload, keyword)
    assert baking.extract(baked) == (keyword, payload)
    # Re-baking replaces, never duplicates.
    again = baking.bake_png(baked, b'{"x": 1}', "openbadges")
    assert baking.extract(again) == ("openbadges", b'{"x": 1}')


@pytest.mark.parametrize("keyword", ["openbadges", "openbadgecredential"])
def test_svg_round_trip(svg: bytes, kit, keyword: str) -> None:
    payload = kit.to_bytes(kit.assertion(comment="tricky ]]> text"))
    baked = baking.bake_svg(svg, payload, keyword)
    assert baking.extract(baked) == (keyword, payload)
    assert b'data-note="a > b"' in baked


def test_svg_jws_payload_round_trip(svg: bytes) -> None:
    token = b"eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln"
    assert baking.unbake(baking.bake_svg(svg, token)) == token


def test_svg_verify_attribute_with_jws() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln"
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        f'<openbadges:assertion verify="{token}"/></svg>'
    ).encode()
    assert baking.unbake(svg) == token.encode()


def test_svg_with_only_a_url_says_so() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://example.org/a/1"/></svg>'
    )
    with pytest.raises(baking.HostedUrlOnly, match="only a URL") as info:
        registry.parse(svg)
    assert info.value.url == "https://example.org/a/1"


def test_png_with_only_a_url_says_so(heart: bytes) -> None:
    baked = baking.bake_png(heart, b"https://example.org/assertions/1")
    with pytest.raises(UnsupportedInput, match=r"only a URL \(https://example.org/assertions/1\)"):
        registry.parse(baked)


def test_svg_entity_expansion_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b"<openbadges:assertion>&c;</openbadges:assertion></svg>"
    )
    with pytest.raises(MalformedInput, match="entities"):
        registry.parse(bomb)


def test_svg_external_entity_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    with pytest.raises(MalformedInput):
        baking.unbake(xxe)


def test_svg_not_well_formed() -> None:
    with pytest.raises(MalformedInput, match="not well-formed"):
        baking.unbake(b"<svg><g></svg>")


def test_svg_two_credentials_refused(svg: bytes) -> None:
    once = baking.bake_svg(svg, b'{"a": 1}')
    with pytest.raises(MalformedInput, match="already holds"):
        baking.bake_svg(once, b'{"b": 2}', "openbadgecredential")
    twice = once.replace(
        b"<circle",
        b'<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b'{"b": 2}</openbadges:credential><circle',
    )
    with pytest.raises(MalformedInput, match="more than one"):
        baking.unbake(twice)


def test_decompression_bomb_refused(heart: bytes) -> None:
    # 200 MB of zeros compresses to about 200 KB.
    compressor = zlib.compressobj(9)
    block = b"\x00" * (1 << 20)
    compressed = b"".join(compressor.compress(block) for _ in range(200)) + compressor.flush()
    body = b"openbadges\x00\x01\x00\x00\x00" + compressed
    bomb = _insert_after_ihdr(heart, _chunk(b"iTXt", body))
    with pytest.raises(InputTooLarge, match="inflates beyond"):
        baking.unbake(bomb)


def test_compressed_itxt_and_ztxt_are_read(heart: bytes) -> None:
    payload = b'{"hello": "world"}'
    itxt = b"openbadges\x00\x01\x00\x00\x00" + zlib.compress(payload)
    assert baking.unbake(_insert_after_ihdr(heart, _chunk(b"iTXt", itxt))) == payload
    ztxt = b"openbadges\x00\x00" + zlib.compress(payload)
    assert baking.unbake(_insert_after_ihdr(heart, _chunk(b"zTXt", ztxt))) == payload


def test_foreign_compressed_chunks_are_not_inflated(heart: bytes) -> None:
    # A bomb under someone else's keyword is never decompressed.
    body = b"Comment\x00\x01\x00\x00\x00" + zlib.compress(b"\x00" * (32 << 20))
    png = baking.bake_png(_insert_after_ihdr(heart, _chunk(b"iTXt", body)), b'{"a": 1}')
    assert baking.unbake(png) == b'{"a": 1}'


def test_truncated_png(baked_heart: bytes) -> None:
    for cut in (20, 100, len(baked_heart) - 5):
        with pytest.raises(MalformedInput, match="truncated"):
            baking.unbake(baked_heart[:cut])


def test_bad_crc(baked_heart: bytes) -> None:
    broken = bytearray(baked_heart)
    broken[60] ^= 0x01  # inside the iTXt text
    with pytest.raises(MalformedInput, match="bad CRC"):
        registry.parse(bytes(broken))


def test_png_must_start_with_ihdr(heart: bytes) -> None:
    png = heart[:8] + _chunk(b"tEXt", b"a\x00b") + heart[8:]
    with pytest.raises(MalformedInput, match="IHDR"):
        baking.unbake(png)


def test_png_two_badges_refused(heart: bytes) -> None:
    body = b"openbadges\x00\x00\x00\x00\x00" + b'{"a": 1}'
    png = _insert_after_ihdr(baking.bake_png(heart, b'{"b": 2}'), _chunk(b"iTXt", body))
    with pytest.raises(MalformedInput, match="more than one"):
        baking.unbake(png)


def test_data_after_iend_is_ignored(baked_heart: bytes) -> None:
    assert baking.unbake(baked_heart + b"garbage after the end") == baking.unbake(baked_heart)


def test_bake_refuses_unknown_keyword(heart: bytes, svg: bytes) -> None:
    with pytest.raises(UnsupportedInput):
        baking.bake_png(heart, b"{}", "comment")
    with pytest.raises(UnsupportedInput):
        baking.bake_svg(svg, b"{}", "comment")


def test_errors_are_wallet_errors_for_odd_itxt(heart: bytes) -> None:
    for body in (b"openbadges", b"openbadges\x00\x01", b"openbadges\x00\x02\x00\x00\x00x"):
        with pytest.raises(WalletError):
            baking.unbake(_insert_after_ihdr(heart, _chunk(b"iTXt", body)))


def test_svg_unknown_encoding_is_malformed() -> None:
    # Found by the fuzz test: expat raises LookupError for an unknown declared encoding.
    svg = b'<?xml version="1.0" encoding="U-F-8"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(MalformedInput, match="unknown text encoding"):
        baking.unbake(svg)


def test_svg_with_doctype_and_decoy_tag_in_comment() -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'
    )
    assert baking.unbake(baking.bake_svg(svg, b'{"a": 1}')) == b'{"a": 1}'
    decoy = b'<!-- <svg> --><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'
    with pytest.raises(MalformedInput):
        baking.bake_svg(decoy, b'{"a": 1}')
