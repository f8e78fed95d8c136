"""Which topic names we may publish to without the broker dropping the connection.

A PUBLISH whose topic mosquitto rejects (NUL, other control characters, non-characters, lone
surrogates, wildcards, more than 200 levels, more than 65,535 bytes) is a protocol error: the
broker disconnects us, and paho would re-send the stored message after every reconnect. Answer
topics end in the caller's ``origin``, so they are checked before anything is published.
"""

from __future__ import annotations

import re

MAX_TOPIC_BYTES = 65535  # the MQTT length prefix is two bytes
MAX_TOPIC_LEVELS = 128  # mosquitto refuses more than 200; EVerest topics have about ten

# C0/C1 controls and DEL, wildcards, surrogates (not encodable), non-characters: mosquitto's
# UTF-8 check refuses all of them in topic names.
_NONCHARACTERS = "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17))
_FORBIDDEN = re.compile(
    f"[\\x00-\\x1f\\x7f-\\x9f+#\\ud800-\\udfff\\ufdd0-\\ufdef\\ufffe\\uffff{_NONCHARACTERS}]"
)


def topic_problem(topic: str) -> str | None:
    """Why ``topic`` cannot be published to, or None if it can."""
    if not topic:
        return "empty topic"
    bad = _FORBIDDEN.search(topic)
    if bad is not None:
        char = bad.group()
        what = "wildcard" if char in "+#" else "character"
        return f"{what} U+{ord(char):04X} at position {bad.start()}"
    levels = topic.count("/") + 1
    if levels > MAX_TOPIC_LEVELS:
        return f"{levels} levels (at most {MAX_TOPIC_LEVELS})"
    size = len(topic) if topic.isascii() else len(topic.encode())
    if size > MAX_TOPIC_BYTES:
        return f"{size} bytes (at most {MAX_TOPIC_BYTES})"
    return None


class TopicCheck:
    """:func:`topic_problem` with a memory of good topics (answer topics repeat per caller).

    Only short topics are remembered and the memory is emptied when full, so callers inventing a
    new origin per message cost a check each but no memory.
    """

    def __init__(self, capacity: int = 4096, longest: int = 512) -> None:
        self._good: set[str] = set()
        self._capacity = capacity
        self._longest = longest

    def problem(self, topic: str) -> str | None:
        if topic in self._good:
            return None
        problem = topic_problem(topic)
        if problem is None and len(topic) <= self._longest:
            if len(self._good) >= self._capacity:
                self._good.clear()
            self._good.add(topic)
        return problem


def shown(text: str, limit: int = 80) -> str:
    """Caller-supplied text made safe for a log line: escaped (ascii) and cut to ``limit`` chars."""
    if len(text) <= limit:
        return ascii(text)
    return f"{text[:limit]!a}... ({len(text)} chars)"
