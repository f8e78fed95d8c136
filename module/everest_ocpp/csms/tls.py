"""TLS towards the CSMS (security profiles 2 and 3), with the certificates the EVerest security module
manages, as libocpp's websocket does:

- trust anchors: the CSMS root bundle from ``security.get_verify_file(CSMS)`` when a CSMS root is
  installed, plus the system's CA store when ``UseSslDefaultVerifyPaths`` is true;
- profile 3: the charging station certificate chain and key from
  ``security.get_leaf_certificate_info(CSMS)`` (its password, if any, is only handed to OpenSSL);
- TLS 1.2 or newer, the TLS 1.2 cipher list of the configuration, host name checked against the
  certificate unless ``VerifyCsmsCommonName`` is false, wildcard matches only when allowed.

:class:`CertificateFacts` is what the security profile checks need (is a CSMS root installed, is a
charging station certificate there); they are refreshed before every connection attempt and after
every certificate change, so configuration writes can be checked without waiting for EVerest.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import ssl
from dataclasses import dataclass
from typing import Any

from ..bridge.services import SecurityService

log = logging.getLogger(__name__)


class TlsSetupError(Exception):
    """The TLS settings cannot be built (the message says why; it never holds a secret)."""


@dataclass(frozen=True, slots=True)
class TlsOptions:
    default_verify_paths: bool = True  # UseSslDefaultVerifyPaths
    verify_hostname: bool = True  # VerifyCsmsCommonName
    allow_wildcards: bool = False  # VerifyCsmsAllowWildcards
    ciphers12: str = ""  # SupportedCiphers12 (OpenSSL names, ':'-joined); empty = OpenSSL's defaults


@dataclass(slots=True)
class CertificateFacts:
    csms_root: bool = False  # a CSMS root certificate is installed
    client_certificate: bool = False  # a charging station (CSMS leaf) certificate with its key


class TlsSetup:
    def __init__(self, security: SecurityService) -> None:
        self._security = security
        self.facts = CertificateFacts()
        self._leaf_answer: dict[str, Any] = {}  # holds the key password: never log it

    async def refresh(self) -> CertificateFacts:
        """Ask the security module what is installed (once per connection attempt)."""
        security = self._security
        if not security.available:
            self.facts, self._leaf_answer = CertificateFacts(), {}
            return self.facts
        root = await security.is_ca_certificate_installed("CSMS")
        self._leaf_answer = await security.get_leaf_certificate_info("CSMS")
        self.facts = CertificateFacts(root, _usable_leaf(self._leaf_answer) is not None)
        return self.facts

    def profile_problem(self, profile: int) -> str | None:
        """Why security profile ``profile`` cannot be used with the certificates known now (None: it can)."""
        if profile >= 2 and not self.facts.csms_root:
            return f"security profile {profile} needs a CSMS root certificate, and none is installed"
        if profile == 3 and not self.facts.client_certificate:
            return "security profile 3 needs a charging station certificate, and none is installed"
        return None

    async def context(self, security_profile: int, options: TlsOptions) -> ssl.SSLContext:
        """The client TLS context for one connection attempt, from the facts of the last :meth:`refresh`;
        raises TlsSetupError."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.check_hostname = options.verify_hostname
        ctx.verify_mode = ssl.CERT_REQUIRED
        if options.ciphers12:
            try:
                ctx.set_ciphers(options.ciphers12)
            except ssl.SSLError:
                log.warning("SupportedCiphers12 '%s': no usable cipher; using defaults", options.ciphers12)
        anchors = await self._load_csms_roots(ctx)
        if options.default_verify_paths:
            ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
            anchors.append("the system CA store")
        if not anchors:
            raise TlsSetupError(
                "no trust anchor for the CSMS certificate: no CSMS root certificate is installed and "
                "UseSslDefaultVerifyPaths is false"
            )
        if security_profile == 3:
            self._load_client_certificate(ctx)
        log.debug("TLS for security profile %d, trusting %s", security_profile, ", ".join(anchors))
        return ctx

    async def _load_csms_roots(self, ctx: ssl.SSLContext) -> list[str]:
        if not self.facts.csms_root:
            return []
        path = await self._security.get_verify_file("CSMS")
        if not path:
            log.warning("security.get_verify_file(CSMS) gave no file although a CSMS root is installed")
            return []
        try:
            if os.path.isdir(path):
                ctx.load_verify_locations(capath=path)
            else:
                ctx.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as exc:
            log.error("cannot load the CSMS root certificates from %s: %s", path, _reason(exc))
            return []
        return [f"the CSMS roots in {path}"]

    def _load_client_certificate(self, ctx: ssl.SSLContext) -> None:
        answer = self._leaf_answer
        leaf = _usable_leaf(answer)
        if leaf is None:
            raise TlsSetupError(
                "security profile 3 needs a charging station certificate: "
                f"security.get_leaf_certificate_info(CSMS) answered {answer.get('status', 'nothing')}"
                + ("" if isinstance(answer.get("info"), dict) else " without certificate information")
            )
        chain, key, password = leaf
        try:
            ctx.load_cert_chain(chain, key, password=password or None)
        except (OSError, ssl.SSLError) as exc:
            raise TlsSetupError(
                f"cannot use the charging station certificate {chain} with key {key}: {_reason(exc)}"
            ) from None


def _usable_leaf(answer: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """(certificate chain file, key file, key password) of an Accepted answer, else None."""
    info = answer.get("info")
    if answer.get("status") != "Accepted" or not isinstance(info, dict):
        return None
    chain = info.get("certificate") or info.get("certificate_single")
    key = info.get("key")
    if not isinstance(chain, str) or not chain or not isinstance(key, str) or not key:
        return None
    password = info.get("password")
    return chain, key, password if isinstance(password, str) else None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def wildcard_only_match(peercert: dict[str, Any] | None, host: str) -> bool:
    """True when the verified CSMS certificate names ``host`` only through a wildcard (``*.example.com``),
    which VerifyCsmsAllowWildcards false forbids; an exact DNS name, IP address or common name is fine."""
    if not peercert:
        return False
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return False  # IP addresses never match through wildcards
    except ValueError:
        pass
    names = [(kind, str(value)) for kind, value in peercert.get("subjectAltName", ())]
    dns = [value.lower().rstrip(".") for kind, value in names if kind == "DNS"]
    if not dns:
        dns = [
            str(value).lower()
            for rdn in peercert.get("subject", ())
            for key, value in rdn
            if key == "commonName"
        ]
    return host not in dns and any(name.startswith("*.") for name in dns)
