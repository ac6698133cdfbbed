from __future__ import annotations

import pytest

from wallet.errors import InputTooLarge, MalformedInput
from wallet.jsonguard import MAX_DEPTH, load_json, load_json_object


def test_reads_plain_json_and_a_bom() -> None:
    assert load_json(b'\xef\xbb\xbf{"a": [1, 2]}') == {"a": [1, 2]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1, "a": 2}', "duplicate JSON key 'a'"),
        (b'{"a": "\xff"}', "not valid UTF-8"),
        (b'{"a": NaN}', "constant NaN"),
        (b'{"a": ', "not valid JSON"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nested deeper"),
    ],
)
def test_refuses_bad_json_with_one_line(data: bytes, message: str) -> None:
    with pytest.raises(MalformedInput) as info:
        load_json(data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    text = '{"a": "' + "[" * 500 + '"}'
    assert load_json(text.encode()) == {"a": "[" * 500}


def test_oversize_input_is_refused_before_parsing() -> None:
    with pytest.raises(InputTooLarge):
        load_json(b" " * 101, limit=100)


def test_object_required() -> None:
    with pytest.raises(MalformedInput, match="must be a JSON object"):
        load_json_object(b"[1]", what="credential")
