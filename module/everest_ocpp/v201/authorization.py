"""2.0.1 authorization (C01-C15): token validation for ``auth_validator``, the cache, ClearCache.

Order, as libocpp's ``Authorization::validate_token``: Central and NoAuthorization tokens, and every
token while AuthCtrlr.Enabled is false, are Accepted without asking (C03.FR.01, C05.FR.01); eMAID tokens
go through contract validation (C07, ``contract_auth``). Then, when the station may decide locally
(online with AuthCtrlr.LocalPreAuthorize, offline with LocalAuthorizeOffline): the local list
(LocalAuthListCtrlr.Enabled; an Accepted, unexpired entry authorizes at once, C14.FR.02; another entry
is re-checked with the CSMS online, C14.FR.03, unless LocalAuthListCtrlr.DisablePostAuthorize, and is
Unknown offline, C13.FR.04), then the cache (AuthCacheCtrlr.Enabled; entries past cacheExpiryDateTime
or unused for AuthCacheCtrlr.LifeTime are dropped; an Accepted entry authorizes, C10.FR.03; another one
is answered as cached with AuthCacheCtrlr.DisablePostAuthorize or offline, else re-checked). Offline,
an unknown token is Accepted with AuthCtrlr.OfflineTxForUnknownIdEnabled (C15), else Unknown; online
the CSMS answers an Authorize (unless AuthCtrlr.DisableRemoteAuthorization), and its answer is cached
(never for Central tokens). TransactionEvent answers with an idTokenInfo are cached too and reported
as ``validate_result_update``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from ocpp.routing import on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..authorization import AuthCache, CachePolicy, LocalList, token_key
from ..bridge.services import SecurityService
from ..csms.outbox import Outbox
from ..generic.authorization import UNKNOWN, IdToken, OcspData, TokenRequest, Validation, ValidationUpdate
from ..shared_blocks.authorization import AuthorizationBlock
from ..variables import Source, VariableRef
from .auth_convert import expiry_epoch, id_token_of, ocpp_id_token, ocpp_ocsp, validation_of
from .contract_auth import validate_contract
from .device_model import DeviceModel
from .device_model import well_known as wk

log = logging.getLogger(__name__)

AUTH_ENABLED = VariableRef("AuthCtrlr", "Enabled")
OFFLINE_TX_FOR_UNKNOWN_ID = VariableRef("AuthCtrlr", "OfflineTxForUnknownIdEnabled")
DISABLE_REMOTE_AUTHORIZATION = VariableRef("AuthCtrlr", "DisableRemoteAuthorization")
CACHE_LIFETIME = VariableRef("AuthCacheCtrlr", "LifeTime")
CACHE_POLICY = VariableRef("AuthCacheCtrlr", "Policy")
CACHE_STORAGE = VariableRef("AuthCacheCtrlr", "Storage")
CACHE_DISABLE_POST_AUTHORIZE = VariableRef("AuthCacheCtrlr", "DisablePostAuthorize")
LIST_DISABLE_POST_AUTHORIZE = VariableRef("LocalAuthListCtrlr", "DisablePostAuthorize")
NEVER_ASKED = frozenset({"Central", "NoAuthorization"})


def _expired(info: dict[str, Any]) -> bool:
    """The entry's cacheExpiryDateTime has passed ("the token must be considered invalid")."""
    moment = expiry_epoch(info)
    return moment is not None and moment < time.time()


class Authorization201(AuthorizationBlock[DeviceModel]):
    def __init__(
        self,
        dm: DeviceModel,
        outbox: Outbox,
        online: Callable[[], bool],
        cache: AuthCache,
        local_list: LocalList,
        security: SecurityService,
    ) -> None:
        super().__init__(dm, outbox, online, cache, local_list)
        self._security = security  # contract certificates (eMAID tokens)

    def start(self) -> None:
        """At start-up: expired entries go, and AuthCacheCtrlr.Storage says what the cache takes."""
        self._maintain_cache()

    async def _validate(self, request: TokenRequest) -> Validation:
        token = request.id_token
        dm = self._config
        if token.type in NEVER_ASKED or not dm.get_bool(AUTH_ENABLED, default=False):
            return Validation("Accepted")
        online = self._online()
        local_offline = dm.get_bool(wk.LOCAL_AUTHORIZE_OFFLINE, default=False)
        remote_disabled = dm.get_bool(DISABLE_REMOTE_AUTHORIZATION, default=False)
        if token.type == "eMAID":
            verdict = await validate_contract(
                request,
                online=online,
                local_authorize_offline=local_offline,
                dm=dm,
                security=self._security,
                authorize=self._authorize,
            )
            if verdict is not None:
                return verdict
        local_check = dm.get_bool(wk.LOCAL_PRE_AUTHORIZE, default=False) if online else local_offline
        key = token_key(token.value, token.type)
        if local_check and dm.get_bool(wk.LOCAL_AUTH_LIST_ENABLED, default=False):
            entry = self.local_list.get(key)
            if entry is not None:
                return await self._from_list(request, entry.info, online, remote_disabled)
        if local_check and self.cache_enabled():
            verdict = self._from_cache(key, online)
            if verdict is not None:
                return verdict
        if not online:
            if dm.get_bool(OFFLINE_TX_FOR_UNKNOWN_ID, default=False):
                log.info(
                    "token %s unknown while offline: Accepted (OfflineTxForUnknownIdEnabled)", token.value
                )
                return Validation("Accepted")
            return UNKNOWN
        if remote_disabled:
            log.info("token %s: not asking the CSMS (DisableRemoteAuthorization): Unknown", token.value)
            return UNKNOWN
        return await self._authorize(request, request.certificate, request.ocsp_data)

    async def _from_list(
        self, request: TokenRequest, info: dict[str, Any], online: bool, remote_disabled: bool
    ) -> Validation:
        value = request.id_token.value
        if info.get("status") == "Accepted":
            if not _expired(info):
                log.info("token %s: Accepted by the local authorization list", value)
                return validation_of(info)
            info = {**info, "status": "Expired"}  # past its cacheExpiryDateTime: no longer valid
        if self._config.get_bool(LIST_DISABLE_POST_AUTHORIZE, default=False):
            log.info("token %s: %s in the local list (DisablePostAuthorize)", value, info.get("status"))
            return validation_of(info)
        if remote_disabled or not online:  # C13.FR.04: never authorized from a listed, invalid entry
            log.info("token %s: not Accepted in the local list and not asked: Unknown", value)
            return UNKNOWN
        log.info("token %s: %s in the local list: asking the CSMS", value, info.get("status"))
        return await self._authorize(request, request.certificate, request.ocsp_data)

    def _from_cache(self, key: str, online: bool) -> Validation | None:
        entry = self.cache.get(key)
        if entry is None:
            return None
        if self.cache.is_stale(entry, self._config.get_int(CACHE_LIFETIME, default=0)):
            log.info("cached token %s… expired: dropped", key[:8])
            self.cache.delete(key)
            self._update_cache_storage()
            return None
        status = entry.info.get("status")
        if status == "Accepted":
            self.cache.touch(key)
            log.info("cached token %s…: Accepted from the authorization cache", key[:8])
            return validation_of(entry.info)
        if not online or self._config.get_bool(CACHE_DISABLE_POST_AUTHORIZE, default=False):
            log.info("cached token %s…: %s from the authorization cache", key[:8], status)
            return validation_of(entry.info)
        return None  # re-check with the CSMS

    async def _authorize(
        self, request: TokenRequest, certificate: str | None, ocsp: tuple[OcspData, ...] | None
    ) -> Validation:
        """Authorize at the CSMS; Unknown (and nothing cached) when it does not answer."""
        if not self._online():
            return UNKNOWN
        token = request.id_token
        message = call.Authorize(
            id_token=ocpp_id_token(token),
            certificate=certificate,
            iso15118_certificate_hash_data=None if not ocsp else [ocpp_ocsp(o) for o in ocsp],
        )
        try:
            response = await self._outbox.call(message)
        except Exception as exc:
            why = str(exc) or type(exc).__name__
            log.warning("Authorize of %s got no answer (%s): Unknown", token.value, why)
            return UNKNOWN
        info = response.id_token_info if isinstance(response.id_token_info, dict) else {"status": "Unknown"}
        log.info("Authorize %s: %s", token.value, info.get("status"))
        self._cache_answer(token, info)
        return validation_of(info, response.certificate_status)

    # ---- the cache -------------------------------------------------------------------------------
    def cache_enabled(self) -> bool:
        return self._config.get_bool(wk.AUTH_CACHE_ENABLED, default=False)

    def _cache_answer(self, token: IdToken, info: dict[str, Any]) -> None:
        """C10.FR.01/04/05: what the CSMS says about a token goes into the cache (not for Central)."""
        if token.type == "Central" or not self.cache_enabled():
            return
        try:
            self.cache.put(token_key(token.value, token.type), info, expiry_epoch(info))
            self._maintain_cache()
        except Exception:
            log.exception("storing token %s in the authorization cache failed", token.value)

    def _maintain_cache(self) -> None:
        max_bytes = None
        variable = self._config.variable(CACHE_STORAGE)
        if variable is not None and variable.characteristics.max_limit is not None:
            max_bytes = int(variable.characteristics.max_limit)
        removed = self.cache.purge(
            lifetime_s=self._config.get_int(CACHE_LIFETIME, default=0),
            max_bytes=max_bytes,
            policy=CachePolicy.parse(self._config.value(CACHE_POLICY)),
        )
        if removed:
            log.info("authorization cache: %d entr%s removed", removed, "y" if removed == 1 else "ies")
        self._update_cache_storage()

    def _update_cache_storage(self) -> None:
        _write_internal(self._config, CACHE_STORAGE, str(self.cache.size_bytes()))

    def transaction_answer(self, evse_id: int | None, id_token: dict[str, Any], info: dict[str, Any]) -> None:
        """A TransactionEvent answer carried an idTokenInfo for ``id_token`` (C10.FR.05)."""
        token = id_token_of(id_token)
        self._cache_answer(token, info)
        if evse_id is not None:
            self.events.validation_updated(ValidationUpdate(validation_of(info), evse_id))

    @on(Action.clear_cache)
    def on_clear_cache(self, **_: Any) -> Any:
        """C11: empty the cache; Rejected while it is disabled (C11.FR.04)."""
        if not self.cache_enabled():
            return call_result.ClearCache(status="Rejected")
        self.cache.clear()
        self._update_cache_storage()
        log.info("authorization cache cleared")
        return call_result.ClearCache(status="Accepted")


def _write_internal(dm: DeviceModel, ref: VariableRef, value: str) -> None:
    if dm.variable(ref) is not None and dm.value(ref) != value:
        dm.set(ref, value, source=Source.INTERNAL, allow_read_only=True)
