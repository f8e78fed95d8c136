"""Bounded-depth JSON decoding: exact limit, no recursion errors, strings and escapes not counted."""

from __future__ import annotations

import time

import pytest

from everest_ocpp.everest.json_limits import MAX_DEPTH, JsonLimitError, check_depth, loads
from everest_ocpp.everest.protocol import EnvelopeError, parse_envelope


def nested(depth: int, open_: str = "[", close: str = "]") -> bytes:
    return (open_ * depth + close * depth).encode()


def test_the_limit_is_exact() -> None:
    assert loads(nested(MAX_DEPTH)) is not None
    with pytest.raises(JsonLimitError, match="nested deeper than 64 levels"):
        loads(nested(MAX_DEPTH + 1))


@pytest.mark.parametrize("depth", [65, 1_000, 100_000, 3_000_000])
def test_any_depth_is_refused_quickly_without_recursion(depth: int) -> None:
    started = time.monotonic()
    with pytest.raises(JsonLimitError):
        loads(nested(depth))
    assert time.monotonic() - started < 2


def test_mixed_containers_count_one_level_each() -> None:
    # {"a":[{"a":[ ... ]}]}: objects and arrays alternate; the depth is the number of both
    def alternating(depth: int) -> bytes:
        text = "0"
        for level in range(depth):
            text = f"[{text}]" if level % 2 else f'{{"a":{text}}}'
        return text.encode()

    assert loads(alternating(64)) is not None
    with pytest.raises(JsonLimitError):
        loads(alternating(65))


def test_brackets_inside_strings_do_not_count() -> None:
    payload = b'{"a": "' + b"[{" * 500 + b'", "b": "\\"[[[[", "c": [[["\\\\"]]]}'
    assert loads(payload) == {"a": "[{" * 500, "b": '"[[[[', "c": [[["\\"]]]}
    many_siblings = b"[" + b",".join(b"[]" for _ in range(1000)) + b"]"
    assert loads(many_siblings) == [[] for _ in range(1000)]


def test_unbalanced_brackets_are_refused_by_depth_or_by_the_decoder() -> None:
    check_depth(b"]" * 100 + b"[" * 64)  # the decoder stops at the first "]"
    with pytest.raises(JsonLimitError):
        check_depth(b"]" + b"[" * 100)
    for payload in (b"[" * 60 + b"]" * 59, b"[" * 60 + b"}" * 60, b"]" * 100 + b"[" * 64):
        with pytest.raises(ValueError):
            loads(payload)


def test_a_large_payload_at_the_limit_is_checked_in_linear_time() -> None:
    block = b"[" * 64 + b"0" + b"]" * 64
    payload = b"[" + b",".join([block[1:-1]] * 40_000) + b"]"  # 5 MB, depth 64 throughout
    started = time.monotonic()
    check_depth(payload)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(literal: bytes) -> None:
    with pytest.raises(JsonLimitError, match="is not valid JSON"):
        loads(b'{"x": ' + literal + b"}")


def test_envelope_errors_are_envelope_errors_only() -> None:
    for payload in (nested(5000), b"\xed\xa0\x80", b'{"msg_type": "Cmd", "data": NaN}', b"1" * 5000):
        with pytest.raises(EnvelopeError):
            parse_envelope(payload)
    # a lone surrogate as an escape is valid JSON; it is data (never a topic)
    assert parse_envelope(b'{"msg_type": "Cmd", "data": "\\ud800"}') == ("Cmd", "\ud800")
