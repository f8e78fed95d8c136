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
            if not isinstance(step, dict) or not step:
                raise ScenarioError(f"step {index}: not a mapping")
            kind = next(iter(step))
            handler: Callable[[dict[str, Any]], None] | None = getattr(self, f"_step_{kind}", None)
            if handler is None:
                raise ScenarioError(f"step {index}: unknown step kind '{kind}'")
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
        if "expect_error" in step:
            try:
                result = self.stack.probe.call(cmd, args, within)
            except ProbeCmdError as exc:
                exp = step["expect_error"]
                exp = exp if isinstance(exp, dict) else {"type": exp}
                got = {"type": exc.error_type, "message": exc.message}
                if exp.get("type") != exc.error_type or exp.get("message_contains", "") not in exc.message:
                    raise StepFailed(f"expected error {exp}, got {got}") from None
                return
            raise StepFailed(f"expected error {step['expect_error']}, got result {dump(result)}")
        result = self.stack.probe.call(cmd, args, within)
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

    def _selection(self, kind: str, spec: Any) -> Selection:
        """Which received items an expectation looks at, and what of them it compares."""
        if kind == "var":
            return Selection(
                f"var:{spec}",
                lambda: list(self.stack.probe.vars),
                lambda v: v.var == spec,
                lambda v: v.value,
                f"var {spec}",
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
        within = float(step.get("within", 0.5))
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
        self._expect(self._selection("var", step["expect_var"]), step)

    def _step_expect_no_var(self, step: dict[str, Any]) -> None:
        self._expect_none(self._selection("var", step["expect_no_var"]), step)

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
        code = self.stack.stop_module()
        if code != 0:
            raise StepFailed(f"module exited with {code} on SIGTERM")
        if was_connected:
            self.stack.csms.wait_disconnected(15, after=self._disconnects_seen)
        self._disconnects_seen = self.stack.csms.disconnects
        seen = self.stack.boot_responses()
        self.stack.start_module()
        if step.get("wait_boot", True):
            self.stack.wait_registered(seen)

    def _step_broker_restart(self, step: dict[str, Any]) -> None:
        self.broker.restart()

    def _step_sleep(self, step: dict[str, Any]) -> None:
        seconds = float(step["sleep"])
        if seconds > 2:
            raise ScenarioError("sleep steps are limited to 2 s; wait for an event instead")
        time.sleep(seconds)


def run_scenario(doc: dict[str, Any], broker: Any, workdir: Path) -> None:
    stack = Stack(broker, workdir, stack_options(doc))
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
