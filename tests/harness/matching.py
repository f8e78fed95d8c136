"""Comparing expected and received JSON-like values, with a readable account of the first difference.

Subset matching (the default): every key of an expected mapping must be present and match; extra
keys are fine. Lists match element by element and must have the same length. ``exact`` demands
equality. Special strings: ``$any`` (key present, any value), ``$absent`` (key must be missing),
``$regex:<pattern>`` (string fully matching the pattern).
"""

from __future__ import annotations

import json
import re
from typing import Any

ANY, ABSENT, REGEX = "$any", "$absent", "$regex:"


def mismatch(expected: Any, actual: Any, exact: bool = False, path: str = "") -> str | None:
    """None when ``actual`` matches ``expected``; else where and how they differ."""
    where = path or "value"
    if isinstance(expected, str) and expected == ANY:
        return None
    if isinstance(expected, str) and expected.startswith(REGEX):
        if isinstance(actual, str) and re.fullmatch(expected[len(REGEX) :], actual):
            return None
        return f"{where}: expected a string matching {expected[len(REGEX) :]!r}, got {_short(actual)}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected an object, got {_short(actual)}"
        for key, exp in expected.items():
            sub = f"{path}.{key}" if path else str(key)
            if exp == ABSENT:
                if key in actual:
                    return f"{sub}: expected absent, got {_short(actual[key])}"
                continue
            if key not in actual:
                return f"{sub}: missing (expected {_short(exp)})"
            problem = mismatch(exp, actual[key], exact, sub)
            if problem:
                return problem
        if exact:
            extra = sorted(set(actual) - set(expected))
            if extra:
                return f"{where}: unexpected keys {extra}"
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{where}: expected a list, got {_short(actual)}"
        if len(expected) != len(actual):
            return f"{where}: expected {len(expected)} items, got {len(actual)}"
        for i, (exp, act) in enumerate(zip(expected, actual, strict=True)):
            problem = mismatch(exp, act, exact, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(expected, bool) or isinstance(actual, bool):
        ok = expected is actual
    elif isinstance(expected, int | float) and isinstance(actual, int | float):
        ok = expected == actual
    else:
        ok = type(expected) is type(actual) and expected == actual
    return None if ok else f"{where}: expected {_short(expected)}, got {_short(actual)}"


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def dump(value: Any, limit: int = 4000) -> str:
    text = json.dumps(value, indent=1, default=str)
    return text if len(text) <= limit else text[:limit] + "\n..."
