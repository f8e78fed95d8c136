"""Security profile 2 on the wire: wss:// to a CSMS whose certificate the system CA store trusts
(here a test CA given through SSL_CERT_FILE), plus basic auth; an untrusted certificate is refused."""

from __future__ import annotations

import base64
import ssl
import subprocess
from pathlib import Path

import pytest

from harness.stack import Stack


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("pki")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    for ca in ("ca", "other-ca"):
        run(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN=test {ca}",
            "-keyout",
            str(d / f"{ca}.key"),
            "-out",
            str(d / f"{ca}.pem"),
        )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        str(d / "csms.key"),
        "-out",
        str(d / "csms.csr"),
    )
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run(
        "x509",
        "-req",
        "-in",
        str(d / "csms.csr"),
        "-CA",
        str(d / "ca.pem"),
        "-CAkey",
        str(d / "ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        str(d / "san.ext"),
        "-out",
        str(d / "csms.pem"),
    )
    return {"ca": d / "ca.pem", "other": d / "other-ca.pem", "cert": d / "csms.pem", "key": d / "csms.key"}


def server_context(pki: dict[str, Path]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki["cert"], pki["key"])
    return ctx


V16_SP2 = {"Security": {"SecurityProfile": 2, "AuthorizationKey": "AABBCCDDEEFFGGHH"}}


def test_v16_profile_2_over_tls(make_stack, pki: dict[str, Path]) -> None:
    stack: Stack = make_stack(
        ocpp_config=V16_SP2, csms_ssl=server_context(pki), module_env={"SSL_CERT_FILE": str(pki["ca"])}
    )
    stack.start()
    conn = stack.csms.connections[0]
    assert conn["path"] == "/cp001" and conn["subprotocol"] == "ocpp1.6"
    assert conn["authorization"] == "Basic " + base64.b64encode(b"cp001:AABBCCDDEEFFGGHH").decode()
    assert "connected to CSMS wss://127.0.0.1" in (stack.workdir / "module.log").read_text()


def test_v201_profile_2_over_tls(make_stack, pki: dict[str, Path]) -> None:
    stack: Stack = make_stack(
        ocpp_version="2.0.1",
        csms_ssl=server_context(pki),
        module_env={"SSL_CERT_FILE": str(pki["ca"])},
        ocpp_config={"SecurityCtrlr": {"SecurityProfile": 2, "BasicAuthPassword": "0123456789abcdef"}},
    )
    stack.start()
    assert (
        stack.csms.connections[0]["authorization"]
        == "Basic " + base64.b64encode(b"cp001:0123456789abcdef").decode()
    )


def test_untrusted_certificate_is_refused(make_stack, pki: dict[str, Path]) -> None:
    stack: Stack = make_stack(
        ocpp_config=V16_SP2, csms_ssl=server_context(pki), module_env={"SSL_CERT_FILE": str(pki["other"])}
    )
    stack.start(wait_boot=False)
    log = stack.workdir / "module.log"
    stack.probe.wait_until(
        lambda: "CERTIFICATE_VERIFY_FAILED" in log.read_text(), 20, "a refused certificate"
    )
    assert stack.csms.received("BootNotification") == []
    assert [v.value for v in stack.probe.seen_vars("is_connected")] == [False]
