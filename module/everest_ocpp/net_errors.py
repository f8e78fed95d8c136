"""Readable reasons for failed network connections (MQTT broker, CSMS websocket).

Many of these exceptions print as an empty string (``TimeoutError()`` from ``asyncio.wait_for``,
``ConnectionResetError()`` when a plain server drops a TLS hello), which left log lines ending in
``: ``. This names what failed in words an integrator can act on.
"""

from __future__ import annotations

import errno
import socket
import ssl

_ERRNO_TEXT = {
    errno.ECONNREFUSED: "connection refused (nothing listens on that port?)",
    errno.ECONNRESET: "connection reset by the other side",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "timed out at the TCP level (host down or filtered?)",
    errno.ENOENT: "no such socket file",
    errno.EACCES: "permission denied",
}


def describe_connect_error(exc: BaseException, timeout_s: float | None = None, tls: bool = False) -> str:
    """What went wrong connecting, never empty. ``timeout_s``: the limit a timeout ran into;
    ``tls``: the connection was meant to be TLS (a reset then most likely means a plain server)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = getattr(exc, "reason", None) or "CERTIFICATE_VERIFY_FAILED"
        return f"TLS handshake failed: certificate not accepted ({reason}: {exc.verify_message or exc})"
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "reason", None) or exc.strerror or str(exc) or type(exc).__name__
        hint = " (is the other side speaking plain text, not TLS?)" if "WRONG_VERSION" in str(reason) else ""
        return f"TLS handshake failed: {reason}{hint}"
    if isinstance(exc, TimeoutError) and not exc.errno:
        within = f" after {timeout_s:g} s" if timeout_s is not None else ""
        return f"timed out{within} (no answer: host down, filtered, or not the right service?)"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name: {exc.strerror or exc}"
    if isinstance(exc, ConnectionResetError) and tls:
        return "connection reset during the TLS handshake (is the other side speaking plain text, not TLS?)"
    if isinstance(exc, OSError) and exc.errno in _ERRNO_TEXT:
        return _ERRNO_TEXT[exc.errno]
    if isinstance(exc, ConnectionResetError):
        return _ERRNO_TEXT[errno.ECONNRESET]
    if isinstance(exc, EOFError):
        return "the other side closed the connection during the handshake"
    text = str(exc).strip()
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
