"""Scenario steps for charging sessions: exact message sequences, a hard kill of the module, and a
CSMS that refuses connections (mixed into ScenarioRunner; format: tests/scenarios/README.md)."""

from __future__ import annotations

import json
import signal
import time
import uuid
from typing import Any

from .matching import dump, mismatch

DEFAULT_WITHIN = 5.0


class SessionSteps:
    """Needs ScenarioRunner's ``stack``, ``_selection``, ``_start``, ``_cursor`` and ``_disconnects_seen``."""

    stack: Any
    _cursor: dict[str, int]
    _floor: dict[str, int]
    _disconnects_seen: int

    def _selection(self, kind: str, spec: Any) -> Any:
        raise NotImplementedError

    def _start(self, stream: str) -> int:
        raise NotImplementedError

    # ---- exact sequences -------------------------------------------------------------------------
    def _sequence(self, kind: str, spec: Any, step: dict[str, Any]) -> None:
        """The next items of one stream are exactly these, in this order, with nothing in between."""
        from .scenario import StepFailed

        exact = "exact" in step
        expected = list(step["exact"] if exact else step["match"])
        if not expected:
            raise StepFailed("a sequence needs at least one item")
        within = float(step.get("within", DEFAULT_WITHIN))
        sel = self._selection(kind, spec)
        deadline = time.monotonic() + within
        while True:
            first = self._start(sel.stream)
            got = [(i, it) for i, it in enumerate(sel.items()) if i >= first and sel.key(it)]
            if len(got) >= len(expected) or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        values = [sel.value(it) for _i, it in got[: len(expected)]]
        if len(values) < len(expected):
            raise StepFailed(
                f"{sel.label}: {len(expected)} item(s) expected within {within}s, got {len(values)}:\n"
                f"{dump(values)}"
            )
        for n, (want, have) in enumerate(zip(expected, values, strict=True)):
            problem = mismatch(want, have, exact)
            if problem:
                raise StepFailed(
                    f"{sel.label}: item {n + 1} of the sequence differs: {problem}\n"
                    f"received in order:\n{dump(values)}"
                )
        self._cursor[sel.stream] = got[len(expected) - 1][0] + 1

    def _step_expect_csms_sequence(self, step: dict[str, Any]) -> None:
        self._sequence("csms", step["expect_csms_sequence"], step)

    def _step_expect_var_sequence(self, step: dict[str, Any]) -> None:
        self._sequence("var", step["expect_var_sequence"], step)

    def _step_expect_csms_order(self, step: dict[str, Any]) -> None:
        """The calls of the listed actions received since the last ``skip_received``, grouped in runs of
        one action, are exactly these runs, in order: ``[{StartTransaction: {match}}, {MeterValues:
        {match}}, ...]`` (every call of a run must match; ``{}`` matches any). Does not consume."""
        from .scenario import StepFailed

        runs = [next(iter(item.items())) for item in step["expect_csms_order"]]
        actions = {action for action, _spec in runs}
        within = float(step.get("within", DEFAULT_WITHIN))
        deadline = time.monotonic() + within
        while True:
            calls = [c for c in self.stack.csms.received()[self._floor["csms"] :] if c.action in actions]
            grouped: list[tuple[str, list[dict[str, Any]]]] = []
            for call in calls:
                if grouped and grouped[-1][0] == call.action:
                    grouped[-1][1].append(call.payload)
                else:
                    grouped.append((call.action, [call.payload]))
            problem = self._order_problem(runs, grouped)
            if problem is None:
                return
            if time.monotonic() >= deadline:
                seen = [(action, len(payloads)) for action, payloads in grouped]
                raise StepFailed(f"CSMS order: {problem}\nreceived runs (action, count): {seen}")
            time.sleep(0.02)

    @staticmethod
    def _order_problem(
        runs: list[tuple[str, Any]], grouped: list[tuple[str, list[dict[str, Any]]]]
    ) -> str | None:
        if len(grouped) != len(runs):
            return f"{len(runs)} run(s) expected, got {len(grouped)}"
        for n, ((action, spec), (got, payloads)) in enumerate(zip(runs, grouped, strict=True)):
            if action != got:
                return f"run {n + 1}: expected {action}, got {got}"
            for payload in payloads:
                problem = mismatch(spec or "$any", payload)
                if problem:
                    return f"run {n + 1} ({action}): {problem} in {dump(payload, 800)}"
        return None

    def _step_csms_response_sequence(self, step: dict[str, Any]) -> None:
        """The CSMS answers the next calls of an action with these payloads in turn (the last repeats)."""
        spec = step["csms_response_sequence"]
        payloads = list(spec["payloads"])

        def answer(_request: dict[str, Any]) -> dict[str, Any]:
            return dict(payloads.pop(0) if len(payloads) > 1 else payloads[0])

        self.stack.csms.responses[spec["action"]] = answer

    # ---- the module dies -------------------------------------------------------------------------
    def _step_kill_module(self, step: dict[str, Any]) -> None:
        """SIGKILL (no shutdown at all; ``signal: term`` for SIGTERM), then start again on the same files
        and wait for the boot. ``before_ready``: vars the probe publishes once the new process is up and
        before GlobalReady, as an evse_manager resuming a session does (e.g. SessionResumed)."""
        stack = self.stack
        was_connected = stack.csms.connected
        proc = stack.module.proc if stack.module is not None else None
        if proc is not None:
            if step.get("signal") == "term":
                proc.send_signal(signal.SIGTERM)
            else:
                proc.kill()
            proc.wait(15)
        stack.module = None
        if was_connected:
            stack.csms.wait_disconnected(15, after=self._disconnects_seen)
        self._disconnects_seen = stack.csms.disconnects
        seen = stack.boot_responses()
        self._start_module(step.get("before_ready") or [])
        if step.get("wait_boot", True):
            stack.wait_registered(seen)

    def _start_module(self, before_ready: list[dict[str, Any]]) -> None:
        from .module_process import ModuleProcess
        from .stack import MODULE_ID

        stack = self.stack
        stack.probe.module_ready.clear()
        stack.module = ModuleProcess(stack.config_path, MODULE_ID, stack.workdir / "module.log")
        stack.module.extra_env = dict(stack.options.module_env)
        stack.module.start()
        if not stack.probe.module_ready.wait(15):
            raise TimeoutError(f"module did not publish ModuleReady; log:\n{stack.module.log_tail()}")
        for spec in before_ready:
            stack.probe.publish_var(spec["impl"], spec["var"], spec["value"])
        stack.probe.publish_global_ready()
        if stack.options.publish_ready:
            var = "waiting_for_external_ready" if stack.options.publish_ready == "waiting" else "ready"
            for impl in stack.evse_impls:
                stack.probe.publish_var(impl, var, True)

    # ---- errors ----------------------------------------------------------------------------------
    def _step_probe_error(self, step: dict[str, Any]) -> None:
        """The probe raises (or with ``clear: true`` clears) an EVerest error on one implementation."""
        spec = step["probe_error"]
        error = {
            "type": spec["type"],
            "sub_type": spec.get("sub_type", ""),
            "message": spec.get("message", ""),
            "description": spec.get("description", ""),
            "origin": {"module_id": "probe", "implementation_id": spec["impl"]},
            "vendor_id": spec.get("vendor_id", ""),
            "severity": spec.get("severity", "High"),
            "timestamp": "2026-01-01T00:00:00.000Z",
            "uuid": spec.get("uuid") or str(uuid.uuid4()),
            "state": "ClearedByModule" if spec.get("clear") else "Active",
        }
        if "evse" in spec:
            error["origin"]["mapping"] = {"evse": spec["evse"]}
        envelope = {"msg_type": "ClearError" if spec.get("clear") else "RaiseError", "data": error}
        topic = f"{self.stack.prefix}modules/probe/impl/{spec['impl']}/error/{spec['type']}"
        self.stack.probe.publish_raw(topic, json.dumps(envelope))

    # ---- the CSMS refuses ------------------------------------------------------------------------
    def _step_csms_accept(self, step: dict[str, Any]) -> None:
        """``csms_accept: false``: new websocket connections are closed at once; true: accepted again."""
        accept = bool(step["csms_accept"])
        self.stack.csms.accept_connection = lambda _info: accept
