"""Payloads between the ``ocpp`` package's dataclasses and OCPP-J's camelCase JSON, in one pass.

The package builds a request as ``remove_nones(snake_to_camel_case(serialize_as_dict(payload)))``:
``asdict`` deep-copies the whole payload, ``serialize_as_dict`` walks it a second time, the key
conversion runs a dozen string replacements per key and ``remove_nones`` copies it once more; an
answer's keys go through two regular expressions each. Here one walk builds the same dict, and each
key is converted once by the package's own functions and remembered (the conversion depends on the
key alone). Anything unusual in a payload (a tuple, a Decimal, an object of some other type) makes
:func:`to_wire` use the package's pipeline for the whole payload, so the result is always the
package's.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from ocpp.charge_point import camel_to_snake_case, remove_nones, serialize_as_dict, snake_to_camel_case

_KEYS_KEPT = 4096  # keys remembered per direction (payload keys are field names: a few hundred)
_camel: dict[str, str] = {}
_snake: dict[str, str] = {}
_SCALARS = (str, int, float, bool)


class _Unusual(Exception):
    """A value the one-pass conversion does not handle exactly like the package."""


def _camel_key(key: Any) -> str:
    try:
        return _camel[key]
    except (KeyError, TypeError):
        if type(key) is not str:
            raise _Unusual from None
    converted: str = next(iter(snake_to_camel_case({key: None})))
    if len(_camel) < _KEYS_KEPT:
        _camel[key] = converted
    return converted


def _snake_key(key: str) -> str:
    try:
        return _snake[key]
    except KeyError:
        pass
    converted: str = next(iter(camel_to_snake_case({key: None})))
    if len(_snake) < _KEYS_KEPT:
        _snake[key] = converted
    return converted


def _out(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {_camel_key(k): _out(v) for k, v in value.items() if v is not None}
    if kind is list:
        return [_out(v) for v in value if v is not None]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _camel_key(f.name): _out(v)
            for f in dataclasses.fields(value)
            if (v := getattr(value, f.name)) is not None
        }
    if isinstance(value, Enum) and isinstance(value, _SCALARS):
        return value  # the package's enums are str enums: asdict keeps them, JSON writes their value
    raise _Unusual


def to_wire(payload: Any) -> dict[str, Any]:
    """The camelCase payload of a call dataclass, without None values (as the package sends it)."""
    try:
        return _out(payload)
    except _Unusual:
        return remove_nones(snake_to_camel_case(serialize_as_dict(payload)))


def _in(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {_snake_key(k): _in(v) for k, v in value.items()}
    if kind is list:
        return [_in(v) for v in value]
    return value


def from_wire(payload: dict[str, Any]) -> dict[str, Any]:
    """The snake_case keyword arguments of a received payload (as the package converts it)."""
    return _in(payload)
