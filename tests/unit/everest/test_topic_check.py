"""Which topics may be published to: everything mosquitto would answer with a disconnect is refused."""

from __future__ import annotations

import pytest

from everest_ocpp.everest.topic_check import MAX_TOPIC_LEVELS, TopicCheck, shown, topic_problem

BASE = "everest/modules/ocpp/impl/main/cmd/echo/response/"


@pytest.mark.parametrize(
    ("origin", "problem"),
    [
        ("a\x00b", "character U+0000 at position 50"),
        ("a\x1fb", "character U+001F at position 50"),
        ("\x7f", "character U+007F at position 49"),
        ("\x9f", "character U+009F at position 49"),
        ("+", "wildcard U+002B at position 49"),
        ("a#", "wildcard U+0023 at position 50"),
        ("\ud800", "character U+D800 at position 49"),
        ("\udfff", "character U+DFFF at position 49"),
        ("\ufdd0", "character U+FDD0 at position 49"),
        ("\ufffe", "character U+FFFE at position 49"),
        ("\U0010ffff", "character U+10FFFF at position 49"),
        ("\U0001fffe", "character U+1FFFE at position 49"),
        ("/".join("x" * 250), "258 levels (at most 128)"),
        ("o" * (65535 - len(BASE) + 1), "65536 bytes (at most 65535)"),
        ("\u00e9" * 40000, "80049 bytes (at most 65535)"),
    ],
)
def test_refused(origin: str, problem: str) -> None:
    assert topic_problem(BASE + origin) == problem


@pytest.mark.parametrize(
    "origin",
    ["api", "", "a b", "\u00a0", "\u00e9t\u00e9", "\U0001f600", "\ufdcf", "\ufffd", "o" * 65486],
)
def test_accepted(origin: str) -> None:
    assert len(BASE) + 65486 == 65535
    assert topic_problem(BASE + origin) is None


def test_levels_limit_is_exact() -> None:
    assert topic_problem("/".join(["x"] * MAX_TOPIC_LEVELS)) is None
    assert topic_problem("/".join(["x"] * (MAX_TOPIC_LEVELS + 1))) is not None
    assert topic_problem("") == "empty topic"


def test_check_remembers_good_short_topics_only_and_stays_bounded() -> None:
    check = TopicCheck(capacity=3, longest=20)
    assert check.problem("a/b") is None and check.problem("a/b") is None
    assert check.problem("a/+") is not None and check.problem("a/+") is not None
    assert check.problem("x" * 30) is None
    for i in range(10):
        assert check.problem(f"t/{i}") is None
    assert len(check._good) <= 3 and "x" * 30 not in check._good


def test_shown_escapes_and_cuts() -> None:
    assert shown("a\x00\ud800") == "'a\\x00\\ud800'"
    assert shown("y" * 100, 5) == "'yyyyy'... (100 chars)"
