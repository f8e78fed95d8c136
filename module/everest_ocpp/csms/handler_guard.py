"""Failures of `@on` / `@after` handlers reach the module log, with secrets scrubbed.

The python ``ocpp`` package answers a failing handler with a CALLERROR (InternalError for an
unexpected exception) and logs the request with its payload through its own logger, which this
module silences because payloads carry secrets. Each handler is wrapped so its failure is logged
here instead: the action, the exception and its traceback, with every secret of the request
masked. ``@after`` handlers run after the answer went out; their failure is logged and dropped
(the package would otherwise let it escape into the message task or lose it in a bare future).
"""

from __future__ import annotations

import functools
import inspect
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from ocpp.exceptions import OCPPError

from .redaction import redacted, scrub_text, secret_values


def guard_routes(routes: dict[str, dict[str, Any]], log: logging.Logger) -> None:
    """Wrap every handler of a route map (as built by ``ocpp.routing.create_route_map``) in place."""
    for action, handlers in routes.items():
        if "_on_action" in handlers:
            handlers["_on_action"] = _guard(action, handlers["_on_action"], log, after=False)
        if "_after_action" in handlers:
            handlers["_after_action"] = _guard(action, handlers["_after_action"], log, after=True)


def _guard(action: str, handler: Callable[..., Any], log: logging.Logger, after: bool) -> Callable[..., Any]:
    # functools.wraps keeps the signature visible: the package passes call_unique_id only to
    # handlers that declare it
    @functools.wraps(handler)
    def run(**kwargs: Any) -> Any:
        try:
            result = handler(**kwargs)
        except Exception as exc:
            report(log, action, after, exc, kwargs)
            if after:
                return None
            raise
        if inspect.isawaitable(result):
            return _finish(result, action, log, after, kwargs)
        return result

    return run


async def _finish(
    awaitable: Awaitable[Any], action: str, log: logging.Logger, after: bool, kwargs: dict[str, Any]
) -> Any:
    try:
        return await awaitable
    except Exception as exc:
        report(log, action, after, exc, kwargs)
        if after:
            return None
        raise


def report(log: logging.Logger, action: str, after: bool, exc: Exception, kwargs: dict[str, Any]) -> None:
    if isinstance(exc, OCPPError) and not after:
        return  # a deliberate CALLERROR answer: the session logs every CALLERROR it sends
    secrets = secret_values(kwargs)
    where = "after-answer handler" if after else "handler"
    details = scrub_text("".join(traceback.format_exception(exc)).rstrip(), secrets)
    request = {k: v for k, v in kwargs.items() if k != "call_unique_id"}
    outcome = "" if after else "; answered with CALLERROR InternalError"
    log.error(
        "%s %s failed%s: %s: %s\nrequest: %s\n%s",
        action,
        where,
        outcome,
        type(exc).__name__,
        scrub_text(str(exc), secrets),
        redacted(request),
        details,
    )
