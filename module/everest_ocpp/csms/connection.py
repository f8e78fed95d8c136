"""The websocket to the CSMS: connect, keep, reconnect with back-off, stop and restart."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from ..net_errors import describe_connect_error
from ..tasks import spawn
from .backoff import BackoffPolicy
from .tls import wildcard_only_match

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectionSettings:
    url: str  # complete URL incl. the charging station identity
    subprotocol: str  # "ocpp1.6" or "ocpp2.0.1"
    identity: str
    password: str | None = field(default=None, repr=False)  # basic auth (security profile 1/2)
    ping_interval_s: float | None = None
    open_timeout_s: float = 10.0
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)
    security_profile: int = 0
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)  # wss:// only
    refuse_wildcard_match: bool = False  # VerifyCsmsAllowWildcards false (and the host name checked)

    def headers(self) -> dict[str, str]:
        if self.password is None:
            return {}
        token = base64.b64encode(f"{self.identity}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


def redact(url: str) -> str:
    """URLs never carry credentials here, but strip any userinfo before logging anyway."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest.split("/", 1)[0]:
        rest = rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"


Session = Callable[[ClientConnection], Awaitable[None]]
SettingsSource = Callable[[], ConnectionSettings | Awaitable[ConnectionSettings]]


class CsmsConnection:
    """Runs ``session(ws)`` for every established connection until stopped.

    ``settings()`` (plain or a coroutine) is asked before every attempt, so configuration changes
    (URL, password, back-off, certificates) take effect on the next reconnect. ``after_failure`` runs
    after every attempt that did not connect; when it returns True (it changed the settings back to
    ones that worked) the next attempt starts at once instead of after the back-off.
    """

    def __init__(
        self,
        settings: SettingsSource,
        session: Session,
        on_connected_changed: Callable[[bool], None],
    ) -> None:
        self._settings = settings
        self._session = session
        self._on_changed = on_connected_changed
        self._task: asyncio.Task[None] | None = None
        self._ws: ClientConnection | None = None
        self.connected = False
        self._reconnect_now = asyncio.Event()
        self.after_failure: Callable[[], bool] = lambda: False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> bool:
        if self.running:
            return False
        self._task = spawn(self._run(), "csms-connection", logger=log)
        return True

    async def stop(self) -> bool:
        """Close the websocket and stop reconnecting; False if already stopped."""
        if not self.running:
            return False
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        return True

    async def reconnect(self) -> None:
        """Drop the current connection (e.g. new credentials); the loop connects again at once."""
        self._reconnect_now.set()
        if self._ws is not None:
            await self._ws.close()

    def _set_connected(self, value: bool) -> None:
        if value != self.connected:
            self.connected = value
            self._on_changed(value)

    async def _run(self) -> None:
        """Never ends by itself: a bad configuration or an unexpected error is logged and retried,
        since the configuration may be fixed while the module runs (set_variables, the CSMS)."""
        attempt = 0
        backoff = BackoffPolicy()
        try:
            while True:
                connected = False
                try:
                    settings = await _resolved(self._settings())
                except Exception as exc:  # e.g. CsmsUrlError naming the configuration key
                    log.error("cannot connect to the CSMS: %s", exc)
                else:
                    backoff = settings.backoff
                    connected = await self._connect_once(settings)
                if connected:
                    attempt = 0
                if self._reconnect_now.is_set():
                    self._reconnect_now.clear()
                    continue
                if not connected and self._fell_back():
                    continue
                delay = backoff.delay(attempt)
                attempt += 1
                log.info("reconnecting to CSMS in %.1f s", delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._reconnect_now.wait(), delay)
                self._reconnect_now.clear()
        finally:
            if self._ws is not None:
                ws, self._ws = self._ws, None
                with contextlib.suppress(Exception):
                    await asyncio.shield(ws.close())
            self._set_connected(False)

    def _fell_back(self) -> bool:
        try:
            return self.after_failure()
        except Exception:
            log.exception("handling the failed connection attempt failed")
            return False

    async def _connect_once(self, settings: ConnectionSettings) -> bool:
        """One connection attempt and, if it succeeds, its session; True if it connected."""
        url = redact(settings.url)
        tls: dict[str, ssl.SSLContext] = {}
        if settings.ssl_context is not None and settings.url.startswith("wss:"):
            tls["ssl"] = settings.ssl_context
        try:
            async with ws_connect(
                settings.url,
                subprotocols=[settings.subprotocol],  # type: ignore[list-item]
                additional_headers=settings.headers(),
                open_timeout=settings.open_timeout_s,
                ping_interval=settings.ping_interval_s,
                max_size=None,
                **tls,  # type: ignore[arg-type]
            ) as ws:
                if ws.subprotocol != settings.subprotocol:
                    chosen = ws.subprotocol or "none"
                    await ws.close()
                    raise SubprotocolRefused(
                        f"the CSMS did not accept subprotocol {settings.subprotocol} (it chose {chosen})"
                    )
                if settings.refuse_wildcard_match and _wildcard_only(ws, settings.url):
                    await ws.close()
                    raise SubprotocolRefused(
                        "the CSMS certificate names the host only through a wildcard, which "
                        "VerifyCsmsAllowWildcards false forbids"
                    )
                log.info("connected to CSMS %s", url)
                self._ws = ws
                self._set_connected(True)
                try:
                    await self._session(ws)
                except websockets.ConnectionClosed:
                    pass
                except Exception:
                    log.exception("the session with CSMS %s failed", url)
                finally:
                    self._ws = None
                    self._set_connected(False)
                log.warning("connection to CSMS %s closed", url)
                return True
        except (OSError, TimeoutError, EOFError, websockets.WebSocketException, SubprotocolRefused) as exc:
            reason = describe_ws_error(exc, settings.open_timeout_s, settings.url.startswith("wss:"))
            log.warning("cannot connect to CSMS %s: %s", url, reason)
        except Exception:
            log.exception("connecting to CSMS %s failed unexpectedly", url)
        return False


class SubprotocolRefused(ConnectionError):
    """The connection opened but cannot be used (subprotocol, certificate name)."""


async def _resolved(settings: ConnectionSettings | Awaitable[ConnectionSettings]) -> ConnectionSettings:
    if inspect.isawaitable(settings):
        return await settings
    return settings


def _wildcard_only(ws: ClientConnection, url: str) -> bool:
    ssl_object = ws.transport.get_extra_info("ssl_object")
    host = urlsplit(url).hostname
    if ssl_object is None or not host:
        return False
    return wildcard_only_match(ssl_object.getpeercert(), host)


def describe_ws_error(exc: BaseException, timeout_s: float, tls: bool) -> str:
    """Why a websocket connection failed, with the HTTP answer of a refused handshake."""
    if isinstance(exc, websockets.InvalidStatus):
        response = exc.response
        body = bytes(response.body or b"").decode("utf-8", "replace").strip().splitlines()
        detail = f": {body[0][:120]}" if body else ""
        hint = ""
        if response.status_code in (401, 403):
            hint = " (check the identity and the basic auth password / AuthorizationKey)"
        elif response.status_code == 404:
            hint = " (check the URL path)"
        return (
            f"the CSMS refused the websocket handshake with HTTP {response.status_code} "
            f"{response.reason_phrase}{detail}{hint}"
        )
    if isinstance(exc, websockets.InvalidURI):
        return f"not a valid websocket URL: {exc}"
    if isinstance(exc, websockets.InvalidHandshake) and exc.__cause__ is not None:
        return f"{exc}: {describe_connect_error(exc.__cause__, timeout_s, tls)}"
    if isinstance(exc, SubprotocolRefused):
        return str(exc)
    return describe_connect_error(exc, timeout_s, tls)
