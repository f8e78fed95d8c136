"""Token validation, both versions: the stores a version's rules read (the authorization cache and
the local list), the events ``auth_validator`` / ``auth_provider`` listen to, and the promise of
:class:`..generic.authorization.Authorization` that validation never raises (a failure is logged
and answered Unknown). The order of the rules is the version's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from ..authorization import AuthCache, LocalList
from ..csms.outbox import Outbox
from ..generic.authorization import UNKNOWN, AuthorizationEvents, TokenRequest, Validation

log = logging.getLogger(__name__)

Config = TypeVar("Config")  # the version's configuration: 1.6 keys or the 2.0.1 device model


class AuthorizationBlock(Generic[Config]):
    """What the authorization blocks of both versions share; a subclass adds its rules and messages."""

    def __init__(
        self,
        config: Config,
        outbox: Outbox,
        online: Callable[[], bool],
        cache: AuthCache,
        local_list: LocalList,
    ) -> None:
        self.events = AuthorizationEvents()
        self._config = config
        self._outbox = outbox
        self._online = online  # connected and registered
        self.cache = cache
        self.local_list = local_list

    def close(self) -> None:
        self.cache.close()
        self.local_list.close()

    async def validate(self, request: TokenRequest) -> Validation:
        try:
            return await self._validate(request)
        except Exception:
            log.exception("validating token %s failed; answering Unknown", request.id_token.value)
            return UNKNOWN

    async def _validate(self, request: TokenRequest) -> Validation:
        raise NotImplementedError
