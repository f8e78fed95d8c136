"""1.6 security profiles done safely (OCPP 1.6 security whitepaper, libocpp's rules, plus a fallback
that survives restarts):

- a SecurityProfile write is refused unless the new profile can be used: it must be higher than the
  current one, 1/2 need an AuthorizationKey, 2/3 an installed CSMS root certificate, 3 a charging
  station certificate, and CentralSystemURI must give a URL that fits the profile;
- a SecurityProfile or CentralSystemURI changed at runtime gets one connection attempt; if it fails,
  the values of the last successful connection are written back and the link reconnects with them
  (:class:`..csms.fallback.LinkFallback`);
- TLS options come from the ``Internal`` keys (UseSslDefaultVerifyPaths, VerifyCsmsCommonName,
  VerifyCsmsAllowWildcards, SupportedCiphers12).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..csms.fallback import LinkFallback
from ..csms.tls import TlsOptions, TlsSetup
from ..csms.urls import CsmsUrlError, csms_url
from ..variables import VariableChange
from .configuration import ChargePointConfiguration

log = logging.getLogger(__name__)

LINK_KEYS = ("CentralSystemURI", "SecurityProfile")


class LinkSecurity16:
    def __init__(self, config: ChargePointConfiguration, tls: TlsSetup, state_file: Path) -> None:
        self._config = config
        self._tls = tls
        what = "CentralSystemURI/SecurityProfile"
        self.fallback = LinkFallback(state_file, self._values, self._restore, what)
        config.set_security_profile_check(self.profile_problem)

    def _values(self) -> dict[str, Any]:
        config = self._config
        return {"CentralSystemURI": config.central_system_uri, "SecurityProfile": config.security_profile}

    def _restore(self, values: dict[str, Any]) -> None:
        current = self._values()
        for key in LINK_KEYS:
            if key in values and values[key] != current[key]:
                status = self._config.set_internal(key, str(values[key]))
                log.info("%s set back to %s: %s", key, values[key], status.value)

    def profile_problem(self, profile: int) -> str | None:
        """The store's check for SecurityProfile 2/3 (AuthorizationKey and 'higher' are its own rules)."""
        problem = self._tls.profile_problem(profile)
        if problem is not None:
            return problem
        try:
            csms_url(self._config.central_system_uri, self._config.charge_point_id, profile)
        except CsmsUrlError as exc:
            return f"CentralSystemURI does not fit security profile {profile}: {exc}"
        return None

    async def before_change(self, key: str) -> None:
        """Before a ChangeConfiguration is carried out: a SecurityProfile check needs fresh facts."""
        if key.lower() == "securityprofile":
            await self._tls.refresh()

    def on_config_change(self, change: VariableChange) -> None:
        if change.ref.variable in LINK_KEYS and change.changed:
            self.fallback.changed()

    def tls_options(self) -> TlsOptions:
        config = self._config
        return TlsOptions(
            default_verify_paths=config.use_ssl_default_verify_paths,
            verify_hostname=config.verify_csms_common_name,
            allow_wildcards=config.verify_csms_allow_wildcards,
            ciphers12=config.supported_ciphers12,
        )
