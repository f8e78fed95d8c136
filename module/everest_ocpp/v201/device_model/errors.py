"""Errors raised by the device model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DeviceModelError(Exception):
    """The device model cannot do what was asked (storage failure, unsupported database, ...)."""


class MissingValueError(DeviceModelError, LookupError):
    """A typed accessor found no value for a variable the caller relies on."""


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem in the component configuration. ``file`` is None for problems not tied to a file."""

    file: Path | None
    variable: str | None
    problem: str

    def __str__(self) -> str:
        where = str(self.file) if self.file is not None else "component config"
        if self.variable:
            where += f": variable {self.variable}"
        return f"{where}: {self.problem}"


class DeviceModelConfigError(DeviceModelError):
    """The component config files (or the model they produce) are unusable.

    Carries every issue found so an integrator can fix them all at once; ``file``, ``variable`` and
    ``problem`` describe the first one.
    """

    def __init__(self, issues: list[ConfigIssue]) -> None:
        if not issues:
            raise ValueError("DeviceModelConfigError needs at least one issue")
        self.issues = list(issues)
        lines = [str(issue) for issue in self.issues]
        message = lines[0] if len(lines) == 1 else "\n  ".join([f"{len(lines)} problems:", *lines])
        super().__init__(message)

    @property
    def file(self) -> Path | None:
        return self.issues[0].file

    @property
    def variable(self) -> str | None:
        return self.issues[0].variable

    @property
    def problem(self) -> str:
        return self.issues[0].problem
