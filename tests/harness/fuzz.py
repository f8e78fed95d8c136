"""Seeded hostile payloads for the runtime's command and subscribed topics, each with its expected fate.

Every payload says whether the module must answer it (a command with a string id and the caller
as origin, whatever else is wrong with it) or must drop it. The mix covers what broke the runtime
before: deep nesting, lone surrogates, NUL/control/wildcard origins, 65,535-byte and 250-level
answer topics, NaN, huge numbers, invalid UTF-8, truncated JSON, wrong types everywhere.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass
from typing import Any

COMMANDS = ["echo", "no_args", "fail", "bad_result", "not_implemented", "publish", "last_dep_value", "nope"]


def poisoned_origins(prefix_bytes: int) -> dict[str, str]:
    """Origins no answer topic may end in; ``prefix_bytes`` is the length of the topic before it."""
    at_limit = 65535 - prefix_bytes  # exactly 65,535 bytes: still a valid topic, must be answered
    return {
        "nul": "call\x00er",
        "250 levels": "/".join(["x"] * 250),
        "control character": "call\x01er",
        "newline": "caller\n",
        "DEL": "caller\x7f",
        "C1 control": "caller\x85",
        "plus wildcard": "+",
        "hash wildcard": "#",
        "wildcard level": "a/+/b",
        "lone surrogate": "caller\ud800",
        "non-character": "caller\ufffe",
        "65,536-byte topic": "o" * (at_limit + 1),
        "65,536-byte topic, multi-byte": "\u00e9" * ((at_limit + 2) // 2),
    } | {"65,535-byte topic (valid)": "v" * at_limit}


@dataclass
class Packet:
    topic: str
    payload: bytes
    qos: int
    answer_id: str | None  # the id the module must answer exactly once; None: must drop


class Fuzzer:
    def __init__(self, seed: int, prefix: str, caller: str, module: str = "mod") -> None:
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.caller = caller
        self.module = module
        self._n = 0
        self._poisoned = [o for k, o in poisoned_origins(0).items() if "valid" not in k and "65," not in k]

    # ---- topics --------------------------------------------------------------------------------
    def _cmd_topic(self) -> str:
        impl = "main" if self.rng.random() < 0.9 else self.rng.choice(["other", "dep", "x" * 300])
        return f"{self.prefix}modules/{self.module}/impl/{impl}/cmd/{self.rng.choice(COMMANDS)}"

    def _other_topic(self) -> str:
        return self.rng.choice(
            [
                f"{self.prefix}modules/probe/impl/dep/var/counter",
                f"{self.prefix}modules/probe/impl/dep/cmd/ping/response/{self.module}",
                f"{self.prefix}ready",
            ]
        )

    # ---- values --------------------------------------------------------------------------------
    def _text(self) -> str:
        kind = self.rng.randrange(6)
        if kind == 0:
            return "".join(self.rng.choices(string.printable, k=self.rng.randrange(20)))
        if kind == 1:
            return "".join(chr(self.rng.randrange(0x20, 0x3000)) for _ in range(self.rng.randrange(12)))
        if kind == 2:
            return self.rng.choice(["\ud800", "a\udfffb", "\x00", "\u2028", "\ufffe", "+", "#", "/"])
        if kind == 3:
            return "x" * self.rng.choice([0, 1, 5000])
        return self.rng.choice(["a", "exception", "HandlerException", "name", "value", ""])

    def _value(self, depth: int = 0) -> Any:
        kind = self.rng.randrange(9 if depth < 4 else 6)
        if kind == 0:
            return None
        if kind == 1:
            return self.rng.choice([True, False])
        if kind == 2:
            return self.rng.choice([0, -1, 7, 2**63, -(2**70), 10**30])
        if kind == 3:
            return self.rng.choice([0.5, -1e300, 1e-300, 3.0])
        if kind in (4, 5):
            return self._text()
        if kind == 6:
            return [self._value(depth + 1) for _ in range(self.rng.randrange(4))]
        if kind == 7:
            return {"name": self._text(), "size": self._value(depth + 1)}
        return {self._text(): self._value(depth + 1) for _ in range(self.rng.randrange(4))}

    def _args(self) -> Any:
        if self.rng.random() < 0.3:
            return self.rng.choice([{"value": {"name": "n", "size": 1}}, {"kind": "exception"}, {}, None])
        return self._value()

    # ---- packets -------------------------------------------------------------------------------
    def packet(self) -> Packet:
        self._n += 1
        qos = self.rng.randrange(3)
        call_id = f"f{self._n}-{self._text()}"
        kind = self.rng.randrange(100)
        if kind < 35:  # a command we must answer, arguments anything
            data = {"id": call_id, "args": self._args(), "origin": self.caller}
            if self.rng.random() < 0.1:
                del data["args"]
            return Packet(self._cmd_topic(), _dump({"msg_type": "Cmd", "data": data}), qos, call_id)
        if kind < 45:  # poisoned origin: unanswerable
            data = {"id": call_id, "args": self._args(), "origin": self.rng.choice(self._poisoned)}
            return Packet(self._cmd_topic(), _dump({"msg_type": "Cmd", "data": data}), qos, None)
        if kind < 55:  # id or origin of the wrong type, wrong msg_type, no data
            bad = self.rng.choice([None, 1, [1], {"a": 1}, 1.5, True])
            data = {"id": bad, "args": {}, "origin": self.caller}
            if self.rng.random() < 0.5:
                data = {"id": call_id, "args": {}, "origin": bad}
            msg_type = self.rng.choice(["Cmd", "Cmd", "Var", "CmdResult", "Bogus", 7, None])
            return Packet(self._cmd_topic(), _dump({"msg_type": msg_type, "data": data}), qos, None)
        if kind < 62:  # nested deeper than the limit (in args, or the whole payload)
            depth = self.rng.choice([65, 200, 1100, 20000])
            deep = "[" * depth + "]" * depth
            if self.rng.random() < 0.5:
                data = f'{{"id":"{call_id[:3]}","origin":"{self.caller}","args":{deep}}}'
                text = f'{{"msg_type":"Cmd","data":{data}}}'
            else:
                text = deep
            return Packet(self._cmd_topic(), text.encode(), qos, None)
        if kind < 70:  # not JSON we accept
            env = _dump({"msg_type": "Cmd", "data": {"id": call_id, "args": {}, "origin": self.caller}})
            payload = self.rng.choice(
                [
                    env[: self.rng.randrange(len(env))],
                    env.replace(b"{}", b"NaN", 1),
                    env.replace(b"{}", b"[Infinity]", 1),
                    env.replace(b"{}", b'"\xed\xa0\x80"', 1),  # a surrogate encoded in UTF-8
                    env.replace(b"{}", b"1" * 5000, 1),  # beyond Python's int digit limit
                    bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(200))),
                ]
            )
            return Packet(self._cmd_topic(), payload, qos, None)
        # the subscribed non-command topics: vars, results of our own calls, global ready
        payload = self.rng.choice(
            [
                _dump({"msg_type": "Var", "data": {"data": self._value()}}),
                _dump({"msg_type": "Var", "data": self._value()}),
                _dump({"msg_type": "CmdResult", "data": {"type": "result", "data": {"id": self._value()}}}),
                _dump({"msg_type": "GlobalReady", "data": self._value()}),
                _dump(self._value()),
                bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(100))),
            ]
        )
        return Packet(self._other_topic(), payload, qos, None)


def _dump(obj: Any) -> bytes:
    return json.dumps(obj).encode()
