"""Security profile 3 on the wire: wss:// with a client certificate, the trust anchors and the
certificate coming from the security module (the probe answers get_verify_file and
get_leaf_certificate_info with files made here by a test CA); the key is encrypted and its password
never shows up in the logs. Plus the upgrade 2 -> 3 by ChangeConfiguration, and its fallback to 2
when the CSMS refuses the new certificate."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.stack import Stack

KEY_PASSWORD = "key-password-7351"  # a test key password, checked never to be logged
V16_SP3 = {
    "Internal": {
        "UseSslDefaultVerifyPaths": False,
        "RetryBackoffWaitMinimum": 1,
        "RetryBackoffRandomRange": 0,
    },
    "Security": {"SecurityProfile": 3},
}


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _ca(d: Path, name: str) -> None:
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-subj", f"/CN=test {name}", "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.pem"),
    )  # fmt: skip


def _leaf(d: Path, name: str, ca: str, subject: str, ext: str, password: str | None = None) -> None:
    key_args = ["-passout", f"pass:{password}"] if password else ["-nodes"]
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", *key_args, "-subj", subject,
        "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.csr"),
    )  # fmt: skip
    (d / f"{name}.ext").write_text(ext)
    _openssl(
        "x509", "-req", "-in", str(d / f"{name}.csr"),
        "-CA", str(d / f"{ca}.pem"), "-CAkey", str(d / f"{ca}.key"), "-CAcreateserial", "-days", "2",
        "-extfile", str(d / f"{name}.ext"), "-out", str(d / f"{name}.pem"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("pki3")
    _ca(d, "root")
    _ca(d, "other")
    _leaf(d, "csms", "root", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\n")
    client_ext = "extendedKeyUsage=clientAuth\n"
    _leaf(d, "station", "root", "/O=Pionix/CN=cp001", client_ext, password=KEY_PASSWORD)
    _leaf(d, "stranger", "other", "/O=Elsewhere/CN=cp001", client_ext)
    return d


def server_context(pki: Path, require_client: bool) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "csms.pem", pki / "csms.key")
    ctx.load_verify_locations(pki / "root.pem")  # the client certificates the CSMS accepts
    ctx.verify_mode = ssl.CERT_REQUIRED if require_client else ssl.CERT_OPTIONAL
    return ctx


def security_answers(pki: Path, leaf: str = "station", password: str | None = KEY_PASSWORD) -> dict[str, Any]:
    info: dict[str, Any] = {
        "key": str(pki / f"{leaf}.key"),
        "certificate": str(pki / f"{leaf}.pem"),
        "certificate_count": 1,
    }
    if password:
        info["password"] = password
    return {
        "security": {
            "is_ca_certificate_installed": True,
            "get_verify_file": str(pki / "root.pem"),
            "get_leaf_certificate_info": {"status": "Accepted", "info": info},
        }
    }


def common_name(peercert: dict[str, Any] | None) -> str | None:
    if not peercert:
        return None
    return next((value for rdn in peercert["subject"] for key, value in rdn if key == "commonName"), None)


def no_secret_anywhere(stack: Stack) -> None:
    texts = [(stack.workdir / "module.log").read_text()]
    texts += [p.read_text() for p in (stack.workdir / "ocpp-messages").glob("*.log")]
    assert all(KEY_PASSWORD not in text for text in texts)


def test_v16_profile_3_connects_with_the_client_certificate_of_the_security_module(
    make_stack, pki: Path
) -> None:
    stack: Stack = make_stack(
        ocpp_config=V16_SP3,
        csms_ssl=server_context(pki, require_client=True),
        probe_answers=security_answers(pki),
    )
    stack.start()
    conn = stack.csms.connections[0]
    assert conn["path"] == "/cp001" and conn["authorization"] is None  # no basic auth on profile 3
    assert common_name(conn["peercert"]) == "cp001"
    calls = [(c.cmd, c.args) for c in stack.probe.calls if c.impl == "security"]
    assert ("get_verify_file", {"certificate_type": "CSMS"}) in calls
    assert (
        "get_leaf_certificate_info",
        {"certificate_type": "CSMS", "encoding": "PEM", "include_ocsp": False},
    ) in calls
    assert "connected to CSMS wss://127.0.0.1" in (stack.workdir / "module.log").read_text()
    no_secret_anywhere(stack)


def test_v201_profile_3_connects_with_the_client_certificate_of_the_security_module(
    make_stack, pki: Path
) -> None:
    stack: Stack = make_stack(
        ocpp_version="2.0.1",
        csms_ssl=server_context(pki, require_client=True),
        probe_answers=security_answers(pki),
        ocpp_config={
            "SecurityCtrlr": {"SecurityProfile": 3},
            "InternalCtrlr": {"UseSslDefaultVerifyPaths": False},
        },
    )
    stack.start()
    conn = stack.csms.connections[0]
    assert conn["authorization"] is None and common_name(conn["peercert"]) == "cp001"
    assert stack.csms.received("BootNotification")
    # a new charging station certificate under profile 3: an event, and a reconnect to use it
    payload = {"certificateChain": "chain", "certificateType": "ChargingStationCertificate"}
    assert stack.csms.send("CertificateSigned", payload) == {"status": "Accepted"}
    stack.csms.wait_until(lambda: len(stack.csms.connections) > 1, 15, "a new connection")
    assert common_name(stack.csms.connections[-1]["peercert"]) == "cp001"
    event = {"type": "ReconfigurationOfSecurityParameters", "info": "Changed charging station certificate"}
    seen = stack.probe.seen_vars
    stack.probe.wait_until(lambda: event in [v.value for v in seen("security_event")], 5, "the event")
    no_secret_anywhere(stack)


def test_profile_3_without_a_client_certificate_does_not_connect_and_says_why(make_stack, pki: Path) -> None:
    answers = security_answers(pki)
    answers["security"]["get_leaf_certificate_info"] = {"status": "NotFound"}
    stack: Stack = make_stack(
        ocpp_config=V16_SP3, csms_ssl=server_context(pki, require_client=True), probe_answers=answers
    )
    stack.start(wait_boot=False)
    log = stack.workdir / "module.log"
    reason = (
        "security profile 3 needs a charging station certificate: "
        "security.get_leaf_certificate_info(CSMS) answered NotFound"
    )
    stack.probe.wait_until(lambda: reason in log.read_text(), 15, "the reason in the log")
    assert stack.csms.connections == [] and stack.csms.received("BootNotification") == []


V16_SP2 = {
    "Internal": {
        "UseSslDefaultVerifyPaths": False,
        "RetryBackoffWaitMinimum": 1,
        "RetryBackoffRandomRange": 0,
    },
    "Security": {"SecurityProfile": 2, "AuthorizationKey": "AABBCCDDEEFFGGHH"},
}


def _change_to_3(stack: Stack) -> None:
    assert stack.csms.send("ChangeConfiguration", {"key": "SecurityProfile", "value": "3"}) == {
        "status": "Accepted"
    }
    stack.csms.wait_until(lambda: len(stack.csms.received("BootNotification")) >= 2, 20, "the second boot")


def test_v16_upgrade_from_profile_2_to_3(make_stack, pki: Path) -> None:
    stack: Stack = make_stack(
        ocpp_config=V16_SP2,
        csms_ssl=server_context(pki, require_client=False),
        probe_answers=security_answers(pki),
    )
    stack.start()
    assert (
        stack.csms.connections[0]["authorization"] is not None
        and stack.csms.connections[0]["peercert"] is None
    )
    _change_to_3(stack)
    last = stack.csms.connections[-1]
    assert last["authorization"] is None and common_name(last["peercert"]) == "cp001"
    answer = stack.csms.send("GetConfiguration", {"key": ["SecurityProfile"]})
    assert answer["configurationKey"] == [{"key": "SecurityProfile", "readonly": False, "value": "3"}]
    # a new charging station certificate under profile 3: the station reconnects to use it
    connections = len(stack.csms.connections)
    assert stack.csms.send("CertificateSigned", {"certificateChain": "chain"}) == {"status": "Accepted"}
    stack.csms.wait_until(lambda: len(stack.csms.connections) > connections, 15, "a new connection")
    assert common_name(stack.csms.connections[-1]["peercert"]) == "cp001"
    no_secret_anywhere(stack)


def test_v16_upgrade_to_3_refused_by_the_csms_falls_back_to_2(make_stack, pki: Path) -> None:
    """The station's certificate comes from a CA the CSMS does not trust: the TLS handshake fails, the
    station goes back to profile 2 (basic auth, no client certificate) and stays there after a restart."""
    answers = security_answers(pki, leaf="stranger", password=None)
    stack: Stack = make_stack(
        ocpp_config=V16_SP2, csms_ssl=server_context(pki, require_client=False), probe_answers=answers
    )
    stack.csms.ssl_context.verify_mode = (
        ssl.CERT_OPTIONAL
    )  # an untrusted client certificate fails the handshake
    stack.start()
    _change_to_3(stack)
    last = stack.csms.connections[-1]
    assert last["authorization"] is not None and last["peercert"] is None
    answer = stack.csms.send("GetConfiguration", {"key": ["SecurityProfile"]})
    assert answer["configurationKey"] == [{"key": "SecurityProfile", "readonly": False, "value": "2"}]
    assert "going back to" in (stack.workdir / "module.log").read_text()
    stack.stop_module()
    seen = len(stack.probe.seen_vars("boot_notification_response"))
    stack.start_module()
    stack.wait_registered(seen)
    assert stack.csms.connections[-1]["peercert"] is None
