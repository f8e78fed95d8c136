"""Running one YAML scenario against a fresh stack (format: tests/scenarios/README.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .csms import CsmsCallError
from .matching import dump, mismatch
from .probe import ProbeCmdError
from .stack import Stack, StackOptions
from .steps_sessions import SessionSteps

DEFAULT_WITHIN = 5.0
# An expect_no_* window shorter than this proves little (the module may simply not have got to it
# yet); where a timer is in question the window must also cover its interval (see the README).
MIN_QUIET_S = 1.0

_EXPECT = {"match", "exact", "count", "within"}
_EXPECT_NONE = {"match", "within", "from_start"}
_VAR = {"impl"}  # another implementation of the module than ocpp_generic
# every key each step kind accepts besides its own name; anything else (e.g. a misspelt `exakt:`)
# fails the scenario instead of being ignored
STEP_KEYS: dict[str, set[str]] = {
    "call": {"args", "expect", "exact", "expect_error", "within", "save_as", "impl"},
    "csms": {"payload", "validate", "expect", "exact", "expect_error"},
    "expect_var": _EXPECT | _VAR,
    "expect_csms": _EXPECT,
    "expect_probe_call": {"count", "within"},
    "expect_no_var": _EXPECT_NONE | _VAR,
    "expect_no_csms": _EXPECT_NONE,
    "expect_no_probe_call": {"within", "from_start"},
    "skip_received": set(),
    "probe_var": set(),
    "probe_answer": set(),
    "csms_response": {"payload"},
    "publish_raw": set(),
    "csms_disconnect": set(),
    "wait_connected": {"within"},
    "wait_disconnected": {"within"},
    "sync_module": {"within"},
    "restart_module": {"wait_boot"},
    "broker_restart": set(),
    "sleep": {"why"},
    # charging sessions (steps_sessions.py)
    "expect_csms_sequence": {"match", "exact", "within"},
    "expect_var_sequence": {"match", "exact", "within"},
    "expect_csms_order": {"within"},
    "csms_response_sequence": set(),
    "kill_module": {"signal", "before_ready", "wait_boot"},
    "probe_error": set(),
    "csms_accept": set(),
}
# keys of the mapping some step kinds take as their value
SPEC_KEYS: dict[str, set[str]] = {
    "expect_probe_call": {"impl", "cmd", "args", "exact"},
    "expect_no_probe_call": {"impl", "cmd", "args"},
    "probe_var": {"impl", "var", "value"},
    "probe_answer": {"impl", "cmd", "value"},
    "publish_raw": {"topic", "payload", "external"},
    "csms_response_sequence": {"action", "payloads"},
    "probe_error": {
        "impl",
        "type",
        "sub_type",
        "message",
        "description",
        "vendor_id",
        "severity",
        "uuid",
        "clear",
        "evse",
    },
}
TOP_LEVEL = {
    "description",
    "ocpp_version",
    "ocpp_config",
    "module_config",
    "evses",
    "probe",
    "csms_responses",
    "optional",
    "steps",
    "publish_ready",
    "wait_boot",
    "energy_sinks",
    "module_name",
}


@dataclass(frozen=True)
class Selection:
    stream: str  # cursor key: "<stream>:<name>"
    items: Callable[[], list[Any]]
    key: Callable[[Any], bool]
    value: Callable[[Any], Any]
    label: str


class ScenarioError(AssertionError):
    pass


class StepFailed(AssertionError):
    pass


def stack_options(doc: dict[str, Any]) -> StackOptions:
    unknown = set(doc) - TOP_LEVEL
    if unknown:
        raise ScenarioError(f"unknown top-level keys {sorted(unknown)} (allowed: {sorted(TOP_LEVEL)})")
    opts = StackOptions(ocpp_version=str(doc.get("ocpp_version", "1.6")))
    opts.ocpp_config = doc.get("ocpp_config") or {}
    opts.module_config = doc.get("module_config") or {}
    if "evses" in doc:
        opts.evses = doc["evses"]
    opts.probe_answers = doc.get("probe") or {}
    opts.csms_responses = doc.get("csms_responses") or {}
    if "optional" in doc:
        opts.optional = tuple(doc["optional"])
    ready = doc.get("publish_ready", True)
    opts.publish_ready = ready if ready == "waiting" else bool(ready)
    opts.energy_sinks = [int(e) for e in doc.get("energy_sinks") or []]
    if "module_name" in doc:
        opts.module_name = str(doc["module_name"])
    return opts


def check_step(index: int, step: Any) -> str:
    """The step's kind; raises ScenarioError for an unknown kind or any key the kind does not take."""
    if not isinstance(step, dict) or not step:
        raise ScenarioError(f"step {index}: not a mapping")
    kind = next(iter(step))
    if kind not in STEP_KEYS:
        known = ", ".join(sorted(STEP_KEYS))
        raise ScenarioError(f"step {index}: unknown step kind '{kind}' (known: {known})")
    unknown = sorted(set(step) - STEP_KEYS[kind] - {kind})
    if unknown:
        allowed = ", ".join(sorted(STEP_KEYS[kind])) or "none"
        raise ScenarioError(f"step {index} ({kind}): unknown key(s) {unknown} (allowed: {allowed})")
    spec = step[kind]
    if kind in SPEC_KEYS:
        if not isinstance(spec, dict):
            raise ScenarioError(f"step {index} ({kind}): expected a mapping with {sorted(SPEC_KEYS[kind])}")
        unknown = sorted(set(spec) - SPEC_KEYS[kind])
        if unknown:
            raise ScenarioError(
                f"step {index} ({kind}): unknown key(s) {unknown} in its mapping "
                f"(allowed: {', '.join(sorted(SPEC_KEYS[kind]))})"
            )
    error = step.get("expect_error")
    if kind == "call" and isinstance(error, dict) and set(error) - {"type", "message_contains"}:
        raise ScenarioError(f"step {index} (call): expect_error takes only type and message_contains")
    if kind.startswith("expect_no_") and float(step.get("within", MIN_QUIET_S)) < MIN_QUIET_S:
        raise ScenarioError(
            f"step {index} ({kind}): a window of {step['within']} s proves little; use within: "
            f"{MIN_QUIET_S:g} or more (and at least the interval of the timer in question)"
        )
    if kind == "sleep" and not str(step.get("why", "")).strip():
        raise ScenarioError(
            f"step {index} (sleep): say why time must pass (why: ...), or wait for something observable "
            "(expect_*, sync_module)"
        )
    return kind


class ScenarioRunner(SessionSteps):
    """Executes steps in order; every expectation on a stream consumes what it matched."""

    def __init__(self, stack: Stack, broker: Any) -> None:
        self.stack = stack
        self.broker = broker
        self._cursor: dict[str, int] = {}  # "<stream>:<name>" -> index after the last match
        self._floor = {"var": 0, "csms": 0, "probe": 0}  # skip_received moves these
        self._disconnects_seen = 0
        self.results: dict[str, Any] = {}

    # ---- driver ----------------------------------------------------------------------------------
    def run(self, steps: list[dict[str, Any]]) -> None:
        for index, step in enumerate(steps, 1):
            kind = check_step(index, step)
            handler: Callable[[dict[str, Any]], None] = getattr(self, f"_step_{kind}")
            try:
                handler(step)
            except (StepFailed, TimeoutError, ProbeCmdError, CsmsCallError, ConnectionError) as exc:
                label = step[kind] if isinstance(step[kind], str) else ""
                raise StepFailed(f"step {index} ({kind} {label}) failed:\n{exc}") from None

    def _start(self, stream: str) -> int:
        """Where an expectation on ``stream`` ("csms:<Action>", "var:<name>", ...) starts looking."""
        return max(self._cursor.get(stream, 0), self._floor[stream.split(":", 1)[0]])

    # ---- the module's commands -------------------------------------------------------------------
    def _step_call(self, step: dict[str, Any]) -> None:
        cmd = step["call"]
        args = step.get("args", {})
        within = float(step.get("within", DEFAULT_WITHIN))
        impl = step.get("impl")  # another implementation of the module than ocpp_generic
        if "expect_error" in step:
            try:
                result = self.stack.probe.call(cmd, args, within, impl=impl)
            except ProbeCmdError as exc:
                exp = step["expect_error"]
                exp = exp if isinstance(exp, dict) else {"type": exp}
                got = {"type": exc.error_type, "message": exc.message}
                if exp.get("type") != exc.error_type or exp.get("message_contains", "") not in exc.message:
                    raise StepFailed(f"expected error {exp}, got {got}") from None
                return
            raise StepFailed(f"expected error {step['expect_error']}, got result {dump(result)}")
        result = self.stack.probe.call(cmd, args, within, impl=impl)
        self._check(step, result, "result")
        if "save_as" in step:
            self.results[step["save_as"]] = result

    def _check(self, step: dict[str, Any], got: Any, what: str) -> None:
        for key, exact in (("expect", False), ("exact", True)):
            if key in step:
                problem = mismatch(step[key], got, exact=exact)
                if problem:
                    raise StepFailed(f"{what} mismatch: {problem}\nreceived {what}:\n{dump(got)}")

    # ---- the CSMS --------------------------------------------------------------------------------
    def _step_csms(self, step: dict[str, Any]) -> None:
        action = step["csms"]
        payload = step.get("payload", {})
        validate = bool(step.get("validate", True))
        if "expect_error" in step:
            try:
                got = self.stack.csms.send(action, payload, validate=validate)
            except CsmsCallError as exc:
                if str(step["expect_error"]) not in str(exc):
                    raise StepFailed(
                        f"expected CALLERROR containing {step['expect_error']!r}, got {exc}"
                    ) from None
                return
            raise StepFailed(f"expected a CALLERROR, got {dump(got)}")
        got = self.stack.csms.send(action, payload, validate=validate)
        self._check(step, got, f"{action} response")

    def _selection(self, kind: str, spec: Any, impl: str | None = None) -> Selection:
        """Which received items an expectation looks at, and what of them it compares."""
        if kind == "var":
            impl = impl or self.stack.probe.target_impl
            return Selection(
                f"var:{impl}/{spec}",
                lambda: list(self.stack.probe.vars),
                lambda v: v.var == spec and v.impl == impl,
                lambda v: v.value,
                f"var {spec}" if impl == self.stack.probe.target_impl else f"var {impl}/{spec}",
            )
        if kind == "csms":
            return Selection(
                f"csms:{spec}",
                self.stack.csms.received,
                lambda c: c.action == spec,
                lambda c: c.payload,
                f"CSMS {spec}",
            )
        impl, cmd = spec["impl"], spec["cmd"]
        return Selection(
            f"probe:{impl}.{cmd}",
            lambda: list(self.stack.probe.calls),
            lambda c: c.impl == impl and c.cmd == cmd,
            lambda c: c.args,
            f"probe {impl}.{cmd}",
        )

    def _expect(self, sel: Selection, step: dict[str, Any]) -> None:
        within = float(step.get("within", DEFAULT_WITHIN))
        exact = "exact" in step
        expected = step.get("exact", step.get("match", "$any"))
        count = int(step.get("count", 1))
        deadline = time.monotonic() + within
        while True:
            first = self._start(sel.stream)
            candidates = [(i, it) for i, it in enumerate(sel.items()) if i >= first and sel.key(it)]
            matched = [i for i, it in candidates if mismatch(expected, sel.value(it), exact) is None]
            if len(matched) >= count:
                self._cursor[sel.stream] = matched[count - 1] + 1
                return
            if time.monotonic() >= deadline:
                seen = [sel.value(it) for _i, it in candidates][-10:]
                hint = f"\nclosest difference: {mismatch(expected, seen[-1], exact)}" if seen else ""
                raise StepFailed(
                    f"{sel.label}: {count} match(es) of {dump(expected, 1500)} expected within {within}s, "
                    f"got {len(matched)}.{hint}\nreceived instead (last {len(seen)}):\n{dump(seen)}"
                )
            time.sleep(0.01)

    def _expect_none(self, sel: Selection, step: dict[str, Any]) -> None:
        within = float(step.get("within", MIN_QUIET_S))
        expected = step.get("match", "$any")
        start = 0 if step.get("from_start") else self._start(sel.stream)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            bad = [
                it
                for i, it in enumerate(sel.items())
                if i >= start and sel.key(it) and mismatch(expected, sel.value(it)) is None
            ]
            if bad:
                raise StepFailed(
                    f"{sel.label}: expected nothing matching {dump(expected)}, got {dump(sel.value(bad[0]))}"
                )
            time.sleep(0.01)

    def _step_expect_var(self, step: dict[str, Any]) -> None:
        self._expect(self._selection("var", step["expect_var"], step.get("impl")), step)

    def _step_expect_no_var(self, step: dict[str, Any]) -> None:
        self._expect_none(self._selection("var", step["expect_no_var"], step.get("impl")), step)

    def _step_expect_csms(self, step: dict[str, Any]) -> None:
        self._expect(self._selection("csms", step["expect_csms"]), step)

    def _step_expect_no_csms(self, step: dict[str, Any]) -> None:
        self._expect_none(self._selection("csms", step["expect_no_csms"]), step)

    def _step_expect_probe_call(self, step: dict[str, Any]) -> None:
        spec = step["expect_probe_call"]
        how = {"exact": spec["exact"]} if "exact" in spec else {"match": spec.get("args", "$any")}
        self._expect(self._selection("probe", spec), {**step, **how})

    def _step_expect_no_probe_call(self, step: dict[str, Any]) -> None:
        spec = step["expect_no_probe_call"]
        self._expect_none(self._selection("probe", spec), {**step, "match": spec.get("args", "$any")})

    # ---- actions ---------------------------------------------------------------------------------
    def _step_skip_received(self, step: dict[str, Any]) -> None:
        streams = {
            "var": self.stack.probe.vars,
            "csms": self.stack.csms.received(),
            "probe": self.stack.probe.calls,
        }
        for stream in step["skip_received"]:
            self._floor[stream] = len(streams[stream])

    def _step_probe_var(self, step: dict[str, Any]) -> None:
        spec = step["probe_var"]
        self.stack.probe.publish_var(spec["impl"], spec["var"], spec["value"])

    def _step_probe_answer(self, step: dict[str, Any]) -> None:
        spec = step["probe_answer"]
        self.stack.probe.implement(spec["impl"], spec["cmd"], spec["value"])

    def _step_csms_response(self, step: dict[str, Any]) -> None:
        self.stack.csms.responses[step["csms_response"]] = step["payload"]

    def _step_publish_raw(self, step: dict[str, Any]) -> None:
        spec = step["publish_raw"]
        payload = spec["payload"]
        raw = (
            bytes.fromhex(payload[4:]) if isinstance(payload, str) and payload.startswith("hex:") else payload
        )
        # external: a raw topic outside the everest prefix (the module's external MQTT, prefix "")
        prefix = "" if spec.get("external") else self.stack.prefix
        self.stack.probe.publish_raw(prefix + spec["topic"], raw)

    def _step_csms_disconnect(self, step: dict[str, Any]) -> None:
        self.stack.csms.disconnect()

    def _step_wait_connected(self, step: dict[str, Any]) -> None:
        self.stack.csms.wait_connected(float(step.get("within", 15)))

    def _step_wait_disconnected(self, step: dict[str, Any]) -> None:
        # consumes one ended session, so a reconnect faster than this step still counts
        self.stack.csms.wait_disconnected(float(step.get("within", 15)), after=self._disconnects_seen)
        self._disconnects_seen += 1

    def _step_restart_module(self, step: dict[str, Any]) -> None:
        was_connected = self.stack.csms.connected
        if step["restart_module"] == "kill":  # kill -9: no shutdown at all
            self.stack.kill_module()
        elif (code := self.stack.stop_module()) != 0:
            raise StepFailed(f"module exited with {code} on SIGTERM")
        if was_connected:
            self.stack.csms.wait_disconnected(15, after=self._disconnects_seen)
        self._disconnects_seen = self.stack.csms.disconnects
        seen = self.stack.boot_responses()
        self.stack.start_module()
        if step.get("wait_boot", True):
            self.stack.wait_registered(seen)

    def _step_sync_module(self, step: dict[str, Any]) -> None:
        # The module handles the probe's messages in order (one MQTT connection each, QoS 2), so
        # once it answered this call, everything the probe published before has been handled.
        self.stack.probe.call("get_variables", {"requests": []}, float(step.get("within", DEFAULT_WITHIN)))

    def _step_broker_restart(self, step: dict[str, Any]) -> None:
        self.broker.restart()

    def _step_sleep(self, step: dict[str, Any]) -> None:
        seconds = float(step["sleep"])
        if seconds > 2:
            raise ScenarioError("sleep steps are limited to 2 s; wait for an event instead")
        time.sleep(seconds)  # check_step made sure the step says why


def check_scenario(doc: dict[str, Any]) -> StackOptions:
    """Every mistake in the file's format, before anything starts."""
    opts = stack_options(doc)
    steps = doc.get("steps") or []
    if not isinstance(steps, list):
        raise ScenarioError("'steps' must be a list")
    for index, step in enumerate(steps, 1):
        check_step(index, step)
    return opts


def run_scenario(doc: dict[str, Any], broker: Any, workdir: Path) -> None:
    stack = Stack(broker, workdir, check_scenario(doc))
    failure: BaseException | None = None
    try:
        stack.start(wait_boot=bool(doc.get("wait_boot", True)))
        ScenarioRunner(stack, broker).run(doc.get("steps") or [])
    except BaseException as exc:  # report with the module log, then re-raise
        failure = exc
    finally:
        code = stack.stop()
    if failure is None and code != 0:
        failure = StepFailed(f"module exited with {code} on SIGTERM")
    if failure is not None:
        log = (
            (workdir / "module.log").read_text(errors="replace")[-5000:]
            if (workdir / "module.log").exists()
            else ""
        )
        raise StepFailed(f"{failure}\n--- module log (tail) ---\n{log}") from None
