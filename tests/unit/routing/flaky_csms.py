"""A CSMS whose answer to each of the station's calls is chosen per call (review helpers)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from .session_probe import Probe

# reply(action, payload, n) -> a frame tail: ("result", payload) / ("error", code) / None (no answer) /
# ("late", seconds, payload)
Reply = Callable[[str, dict[str, Any], int], Any]


def script(p: Probe, reply: Reply) -> None:
    csms = p.rig.csms
    original = csms.send  # records + answers from csms.answers (and the transaction id counter)
    counts: dict[str, int] = {}

    async def send(message: str) -> None:
        frame = json.loads(message)
        if frame[0] != 2:
            await original(message)
            return
        action = frame[2]
        n = counts[action] = counts.get(action, 0) + 1
        what = reply(action, frame[3], n)
        if what == "default":
            await original(message)
            return
        csms.sent.append(frame)
        if what is None:
            return
        kind = what[0]
        if kind == "result":
            await csms.inbox.put(json.dumps([3, frame[1], what[1]]))
        elif kind == "error":
            await csms.inbox.put(json.dumps([4, frame[1], what[1], "flaky", {}]))
        elif kind == "late":

            async def later() -> None:
                await asyncio.sleep(what[1])
                await csms.inbox.put(json.dumps([3, frame[1], what[2]]))

            asyncio.get_running_loop().create_task(later())
        elif kind == "raw":  # the frame's text, {id} replaced by the call's unique id
            await csms.inbox.put(what[1].replace("{id}", frame[1]))
        elif kind == "wrong_id":
            await csms.inbox.put(json.dumps([3, "not-" + frame[1], what[1]]))

    csms.send = send
