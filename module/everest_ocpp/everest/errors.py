"""Exceptions that cross the EVerest command boundary."""

from __future__ import annotations

from .protocol import CmdErrorType


class CmdError(Exception):
    """A command failed with one of the protocol's error types.

    Raised by :meth:`Runtime.call` for failed calls to other modules; a command handler may raise it
    to answer with a specific error type (anything else becomes ``HandlerException``).
    """

    def __init__(self, error_type: CmdErrorType, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type

    def __str__(self) -> str:
        return self.args[0] if self.args else ""
