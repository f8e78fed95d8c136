"""Decoding JSON from the broker with a nesting limit, without recursion errors.

Python's decoder recurses once per nesting level, so a payload of a few thousand ``[`` raises
RecursionError, and anything that survives decoding still makes schema validation, logging and
encoding recurse. A payload nested deeper than :data:`MAX_DEPTH` is refused before it is decoded.
The check costs two ``bytes.count`` calls for ordinary payloads; only a payload with more opening
brackets than the limit is scanned, in one linear pass in C (strings cut out by regular expressions,
the depth as a running sum of +1/-1 per bracket).
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64

_ESCAPE = re.compile(rb"\\.", re.S)  # backslash escapes (only valid inside strings)
_STRING = re.compile(rb'"[^"]*"')  # after escapes are gone a string has no inner quote
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # as signed bytes: +1 opens, -1 closes


class JsonLimitError(ValueError):
    """Not JSON we accept: nested too deeply, or NaN/Infinity (which strict receivers refuse)."""


def _refuse_constant(name: str) -> Any:
    raise JsonLimitError(f"{name} is not valid JSON")


_decode = json.JSONDecoder(parse_constant=_refuse_constant).decode


def check_depth(payload: bytes, max_depth: int = MAX_DEPTH) -> None:
    """Raise JsonLimitError if ``payload`` nests containers deeper than ``max_depth``."""
    if payload.count(b"[") + payload.count(b"{") <= max_depth:
        return  # cannot be deeper than the number of containers it opens
    # Outside strings the decoder's depth at any point is the number of brackets opened minus
    # those closed so far (a decoder stops at the first thing that is not JSON, so for whatever it
    # reads this holds); escapes go first, so that what is left of a string has no inner quote.
    brackets = _STRING.sub(b"", _ESCAPE.sub(b"", payload)).translate(None, _NOT_BRACKETS)
    if max(accumulate(array("b", brackets.translate(_STEPS))), default=0) > max_depth:
        raise JsonLimitError(f"nested deeper than {max_depth} levels")


def loads(payload: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Decode UTF-8 JSON; raises ValueError (incl. UnicodeDecodeError, JsonLimitError) for bad input."""
    check_depth(payload, max_depth)
    try:
        return _decode(payload.decode())
    except RecursionError:  # unreachable after check_depth; kept so nothing else can escape
        raise JsonLimitError("nested too deeply") from None
