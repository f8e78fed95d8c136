"""TLS towards the CSMS from the security module's answers: trust anchors, the client certificate of
profile 3 (an encrypted key whose password never appears in errors), and the wildcard rule."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.bridge.services import SecurityService
from everest_ocpp.csms.tls import TlsOptions, TlsSetup, TlsSetupError, wildcard_only_match

from .fakes import FakeRuntime

PASSWORD = "unit-test-key-password"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    openssl(
        "req",
        "-x509",
        *ec,
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=root",
        "-keyout",
        str(d / "root.key"),
        "-out",
        str(d / "root.pem"),
    )
    openssl(
        "req",
        *ec,
        "-passout",
        f"pass:{PASSWORD}",
        "-subj",
        "/CN=cp001",
        "-keyout",
        str(d / "leaf.key"),
        "-out",
        str(d / "leaf.csr"),
    )
    openssl(
        "x509", "-req", "-in", str(d / "leaf.csr"), "-CA", str(d / "root.pem"), "-CAkey", str(d / "root.key"),
        "-CAcreateserial", "-days", "1", "-out", str(d / "leaf.pem"),
    )  # fmt: skip
    return d


def setup(answers: dict[str, Any]) -> tuple[TlsSetup, FakeRuntime]:
    runtime = FakeRuntime({"security": answers})
    return TlsSetup(SecurityService(runtime)), runtime  # type: ignore[arg-type]


def leaf_answer(files: Path, password: str | None = PASSWORD) -> dict[str, Any]:
    info: dict[str, Any] = {
        "key": str(files / "leaf.key"),
        "certificate": str(files / "leaf.pem"),
        "certificate_count": 1,
    }
    if password is not None:
        info["password"] = password
    return {"status": "Accepted", "info": info}


def build(tls: TlsSetup, profile: int, options: TlsOptions) -> ssl.SSLContext:
    async def run() -> ssl.SSLContext:
        await tls.refresh()
        return await tls.context(profile, options)

    return asyncio.run(run())


def test_profile_3_trusts_the_csms_roots_and_presents_the_station_certificate(files: Path) -> None:
    tls, runtime = setup(
        {
            "is_ca_certificate_installed": True,
            "get_verify_file": str(files / "root.pem"),
            "get_leaf_certificate_info": leaf_answer(files),
        }
    )
    ctx = build(tls, 3, TlsOptions(default_verify_paths=False, ciphers12="ECDHE-ECDSA-AES128-GCM-SHA256"))
    assert [c["subject"] for c in ctx.get_ca_certs()] == [((("commonName", "root"),),)]
    assert ctx.check_hostname and ctx.verify_mode is ssl.CERT_REQUIRED
    assert ctx.minimum_version is ssl.TLSVersion.TLSv1_2
    assert runtime.called("security", "get_verify_file") == [{"certificate_type": "CSMS"}]
    assert tls.facts.csms_root and tls.facts.client_certificate
    assert tls.profile_problem(3) is None


def test_profile_2_without_an_installed_root_uses_the_system_store(files: Path) -> None:
    tls, runtime = setup(
        {"is_ca_certificate_installed": False, "get_leaf_certificate_info": {"status": "NotFound"}}
    )
    ctx = build(tls, 2, TlsOptions(verify_hostname=False))
    assert not ctx.check_hostname
    assert runtime.called("security", "get_verify_file") == []
    assert tls.profile_problem(2) == "security profile 2 needs a CSMS root certificate, and none is installed"


def test_no_trust_anchor_at_all_is_an_error(files: Path) -> None:
    tls, _ = setup(
        {"is_ca_certificate_installed": False, "get_leaf_certificate_info": {"status": "NotFound"}}
    )
    with pytest.raises(TlsSetupError, match="no trust anchor for the CSMS certificate"):
        build(tls, 2, TlsOptions(default_verify_paths=False))


def test_a_wrong_key_password_is_reported_without_the_password(files: Path) -> None:
    answers = {
        "is_ca_certificate_installed": True,
        "get_verify_file": str(files / "root.pem"),
        "get_leaf_certificate_info": leaf_answer(files, password="not-the-" + PASSWORD),
    }
    tls, _ = setup(answers)
    with pytest.raises(TlsSetupError) as caught:
        build(tls, 3, TlsOptions(default_verify_paths=False))
    assert "cannot use the charging station certificate" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in repr(tls.facts)


def test_profile_3_without_certificate_files_says_why(files: Path) -> None:
    tls, _ = setup(
        {
            "is_ca_certificate_installed": True,
            "get_verify_file": str(files / "root.pem"),
            "get_leaf_certificate_info": {"status": "Accepted"},
        }
    )
    with pytest.raises(TlsSetupError, match=r"answered Accepted without certificate information"):
        build(tls, 3, TlsOptions())


def test_an_unreadable_bundle_is_logged_and_the_system_store_still_used(
    files: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tls, _ = setup(
        {
            "is_ca_certificate_installed": True,
            "get_verify_file": str(files / "missing.pem"),
            "get_leaf_certificate_info": {"status": "NotFound"},
        }
    )
    build(tls, 2, TlsOptions())
    assert "cannot load the CSMS root certificates from" in caplog.text


def test_without_a_security_module_nothing_is_installed() -> None:
    tls = TlsSetup(SecurityService(FakeRuntime({})))  # type: ignore[arg-type]
    facts = asyncio.run(tls.refresh())
    assert not facts.csms_root and not facts.client_certificate


@pytest.mark.parametrize(
    ("names", "host", "wildcard_only"),
    [
        ((("DNS", "*.example.com"),), "csms.example.com", True),
        ((("DNS", "*.example.com"), ("DNS", "csms.example.com")), "csms.example.com", False),
        ((("DNS", "csms.example.com"),), "CSMS.example.com", False),
        ((("IP Address", "127.0.0.1"),), "127.0.0.1", False),
        ((), "csms.example.com", False),
    ],
)
def test_wildcard_only_match(names: tuple[tuple[str, str], ...], host: str, wildcard_only: bool) -> None:
    cert = {"subjectAltName": names, "subject": ((("commonName", "csms.example.com"),),)}
    assert wildcard_only_match(cert, host) is wildcard_only


def test_wildcard_common_name_without_alt_names() -> None:
    cert = {"subject": ((("commonName", "*.example.com"),),)}
    assert wildcard_only_match(cert, "csms.example.com") is True
    assert wildcard_only_match(None, "csms.example.com") is False
