"""2.0.1 requests carrying ``customData`` (valid everywhere per the schemas) get their normal answer.

Every action a 2.0.1 functional block routes must be listed here: the list is checked against the
blocks' ``@on`` handlers, so a new handler without a customData case fails this test.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import everest_ocpp.v201
from harness.stack import Stack
from harness.v201_requests import CD, REQUESTS, subset


def routed_v201_actions() -> set[str]:
    """Every action an ``@on`` handler of a 2.0.1 module handles."""
    actions: set[str] = set()
    for info in pkgutil.walk_packages(everest_ocpp.v201.__path__, "everest_ocpp.v201."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for _attr, member in inspect.getmembers(cls, inspect.isfunction):
                action = getattr(member, "_on_action", None)
                if action is not None:
                    actions.add(str(action))
    return actions


def test_every_routed_action_is_covered() -> None:
    assert routed_v201_actions() == set(REQUESTS)


def test_requests_with_custom_data_get_their_normal_answer(make_stack) -> None:
    stack: Stack = make_stack(ocpp_version="2.0.1")
    stack.start()
    failures = []
    for action, (payload, expected) in REQUESTS.items():
        try:
            answer = stack.csms.send(action, {**payload, "customData": CD})
        except Exception as exc:  # a CALLERROR: the handler did not take the request
            failures.append(f"{action}: {exc}")
            continue
        if not subset(expected, answer):
            failures.append(f"{action}: expected {expected}, got {answer}")
    assert not failures, "\n".join(failures)
    log = (stack.workdir / "module.log").read_text()
    assert "CALLERROR" not in log
