"""The EVerest requests to ``system`` for a firmware update and a log upload, both versions.

OCPP counts ``retries`` after the first attempt while EVerest's ``retries`` counts every attempt, so
one is added, as the C++ modules do. Timestamps are handed on in RFC 3339 UTC.
"""

from __future__ import annotations

from typing import Any

from ..timestamps import normalized

FILENAME_MAX = 255  # GetLog / GetDiagnostics fileName: CiString255


def _retries(retries: int | None) -> dict[str, int]:
    return {} if retries is None else {"retries": max(retries, 0) + 1}


def firmware_request(
    request_id: int,
    location: str,
    retrieve: str,
    *,
    install: str | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
    signing_certificate: str | None = None,
    signature: str | None = None,
) -> dict[str, Any]:
    """An EVerest FirmwareUpdateRequest (request id -1: a plain 1.6 UpdateFirmware)."""
    request: dict[str, Any] = {
        "request_id": request_id,
        "location": location,
        "retrieve_timestamp": normalized(retrieve),
        **_retries(retries),
    }
    if retry_interval is not None:
        request["retry_interval_s"] = retry_interval
    if install is not None:
        request["install_timestamp"] = normalized(install)
    if signing_certificate is not None:
        request["signing_certificate"] = signing_certificate
    if signature is not None:
        request["signature"] = signature
    return request


def log_request(
    location: str,
    *,
    request_id: int | None = None,
    log_type: str | None = None,
    oldest: str | None = None,
    latest: str | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
) -> dict[str, Any]:
    """An EVerest UploadLogsRequest (no request id: a 1.6 GetDiagnostics)."""
    request: dict[str, Any] = {"location": location, **_retries(retries)}
    if request_id is not None:
        request["request_id"] = request_id
    if log_type is not None:
        request["type"] = log_type
    if oldest is not None:
        request["oldest_timestamp"] = normalized(oldest)
    if latest is not None:
        request["latest_timestamp"] = normalized(latest)
    if retry_interval is not None:
        request["retry_interval_s"] = retry_interval
    return request


def upload_filename(response: dict[str, Any]) -> str | None:
    """The file name of an UploadLogsResponse, cut to what OCPP carries (the upload may already run)."""
    name = response.get("file_name")
    return name[:FILENAME_MAX] if isinstance(name, str) and name else None
