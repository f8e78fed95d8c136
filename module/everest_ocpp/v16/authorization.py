"""1.6 authorization: token validation for ``auth_validator``, the authorization cache, ClearCache.

Order, as libocpp's ``authorize_id_token`` (1.6 Core, Local Authorization): a token of more than 20
characters is no 1.6 idTag and is Unknown without asking (the C++ module's CiString<20> conversion fails).
When the charge point may decide locally (online with LocalPreAuthorize, offline with
LocalAuthorizeOffline): the local list (LocalAuthListEnabled) answers with the listed idTagInfo, whatever
its status; then the cache (AuthorizationCacheEnabled): an Accepted entry authorizes; another one is asked
again online and answered as cached offline. An entry past its expiryDate counts as Expired. Offline, an
unknown token is Accepted with AllowOfflineTxForUnknownId, else Invalid; online the CSMS answers an
Authorize.req (no answer or a CALLERROR: Invalid; the link lost on the way: the offline rule). "Online"
means connected and registered. With AuthorizationCacheEnabled every Authorize.conf, StartTransaction.conf
and StopTransaction.conf idTagInfo goes into the cache; a StartTransaction.conf naming a parentIdTag is
reported as ``validate_result_update``. Plug & Charge tokens (1.6 DataTransfer iso15118pnc) are not
validated here: Unknown.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.exceptions import InternalError
from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ..authorization import token_key
from ..csms.outbox import NotConnected
from ..generic.authorization import UNKNOWN, IdToken, TokenRequest, Validation, ValidationUpdate
from ..shared_blocks.authorization import AuthorizationBlock
from .configuration import ChargePointConfiguration
from .id_tag_info import ID_TAG_MAX, current, expiry_epoch, stored_info, validation_of

log = logging.getLogger(__name__)

INVALID = Validation("Invalid")


class Authorization16(AuthorizationBlock[ChargePointConfiguration]):
    async def _validate(self, request: TokenRequest) -> Validation:
        id_tag = request.id_token.value
        if request.authorization_type == "PlugAndCharge":
            log.warning("token %s: Plug & Charge is not validated on OCPP 1.6 here: Unknown", id_tag)
            return UNKNOWN
        if len(id_tag) > ID_TAG_MAX:
            log.warning("token %s… is longer than a 1.6 idTag (20 characters): Unknown", id_tag[:ID_TAG_MAX])
            return UNKNOWN
        online = self._online()
        verdict = self._locally(id_tag, online)
        if verdict is not None:
            return verdict
        if not online:
            return self._unknown_offline(id_tag)
        return await self._authorize(id_tag)

    def _locally(self, id_tag: str, online: bool) -> Validation | None:
        """The local list's or the cache's verdict, where the rules for ``online`` let them answer."""
        config = self._config
        key = token_key(id_tag)
        if not (config.local_pre_authorize if online else config.local_authorize_offline):
            return None
        if config.local_auth_list_enabled:
            entry = self.local_list.get(key)
            if entry is not None:
                info = current(entry.info)
                log.info("token %s: %s in the local authorization list", id_tag, info.get("status"))
                return validation_of(info)
        if config.authorization_cache_enabled:
            return self._from_cache(id_tag, key, online)
        return None

    def _from_cache(self, id_tag: str, key: str, online: bool) -> Validation | None:
        entry = self.cache.get(key)
        if entry is None:
            return None
        info = current(entry.info)
        if info.get("status") == "Accepted":
            self.cache.touch(key)
            log.info("token %s: Accepted from the authorization cache", id_tag)
            return validation_of(info)
        if not online:  # known, and not valid: not an unknown token
            log.info("token %s: %s in the authorization cache", id_tag, info.get("status"))
            return validation_of(info)
        log.info("token %s: %s in the authorization cache: asking the CSMS", id_tag, info.get("status"))
        return None

    def _unknown_offline(self, id_tag: str) -> Validation:
        if self._config.allow_offline_tx_for_unknown_id:
            log.info("token %s unknown while offline: Accepted (AllowOfflineTxForUnknownId)", id_tag)
            return Validation("Accepted")
        log.info("token %s unknown while offline: Invalid", id_tag)
        return INVALID

    async def _authorize(self, id_tag: str) -> Validation:
        try:
            response = await self._outbox.call(call.Authorize(id_tag=id_tag))
        except NotConnected:  # the link went down meanwhile: the offline rules, as if it had been down
            return self._locally(id_tag, False) or self._unknown_offline(id_tag)
        except Exception as exc:  # no answer in time, or a CALLERROR
            log.warning("Authorize of %s failed (%s): Invalid", id_tag, str(exc) or type(exc).__name__)
            return INVALID
        info = response.id_tag_info if isinstance(response.id_tag_info, dict) else {"status": "Invalid"}
        log.info("Authorize %s: %s", id_tag, info.get("status"))
        self._cache_answer(id_tag, info)
        return validation_of(info)

    # ---- the cache -------------------------------------------------------------------------------
    def _cache_answer(self, id_tag: str, info: dict[str, Any]) -> None:
        if not id_tag or not self._config.authorization_cache_enabled:
            return
        kept = stored_info(info)
        try:
            self.cache.put(token_key(id_tag), kept, expiry_epoch(kept))
        except Exception:
            log.exception("storing token %s in the authorization cache failed", id_tag)

    def start_answered(self, evse_id: int | None, id_tag: str, info: dict[str, Any]) -> None:
        """A StartTransaction.conf: its idTagInfo is cached; a parentIdTag is reported to the Auth module
        (as the C++ module: the status and the parent, typed ISO14443)."""
        self._cache_answer(id_tag, info)
        parent = info.get("parent_id_tag")
        if evse_id is not None and isinstance(parent, str) and parent:
            status = validation_of(info).status
            update = Validation(status, parent_id_token=IdToken(parent, "ISO14443"))
            self.events.validation_updated(ValidationUpdate(update, evse_id))

    def stop_answered(self, id_tag: str, info: dict[str, Any]) -> None:
        """A StopTransaction.conf's idTagInfo about the idTag that stopped the transaction."""
        self._cache_answer(id_tag, info)

    @on(Action.clear_cache)
    def on_clear_cache(self, **_: Any) -> Any:
        if not self._config.authorization_cache_enabled:
            log.info("ClearCache: Rejected (AuthorizationCacheEnabled is false)")
            return call_result.ClearCache(status="Rejected")
        try:
            self.cache.clear()
        except Exception as exc:
            log.exception("clearing the authorization cache failed")
            raise InternalError(description="Database error while clearing the authorization cache") from exc
        log.info("authorization cache cleared")
        return call_result.ClearCache(status="Accepted")
