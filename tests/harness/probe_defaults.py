"""Default answers of the probe's commands, per required interface (as EVerest's own 1.6 test sets them)."""

from __future__ import annotations

from typing import Any

EVSE_MANAGER: dict[str, Any] = {
    "enable_disable": True,
    "authorize_response": None,
    "withdraw_authorization": None,
    "reserve": False,
    "cancel_reservation": None,
    "pause_charging": True,
    "resume_charging": True,
    "stop_transaction": True,
    "force_unlock": True,
    "update_allowed_energy_transfer_modes": None,
    "external_ready_to_start_charging": True,
    "set_plug_and_charge_configuration": True,
}

BY_INTERFACE: dict[str, dict[str, Any]] = {
    "evse_manager": EVSE_MANAGER,
    "evse_security": {
        "get_leaf_expiry_days_count": 42,
        "get_v2g_ocsp_request_data": {"ocsp_request_data_list": []},
        "get_mo_ocsp_request_data": {"ocsp_request_data_list": []},
        "install_ca_certificate": "Accepted",
        "delete_certificate": "Accepted",
        "update_leaf_certificate": "Accepted",
        "verify_certificate": "Valid",
        "get_installed_certificates": {"status": "Accepted", "certificate_hash_data_chain": []},
        "update_ocsp_cache": None,
        "is_ca_certificate_installed": False,
        "generate_certificate_signing_request": {"status": "Accepted"},
        "get_leaf_certificate_info": {"status": "Accepted"},
        "get_verify_file": "",
        "verify_file_signature": True,
        "get_all_valid_certificates_info": {"status": "NotFound", "info": []},
        "get_verify_location": "",
    },
    "auth": {
        "set_connection_timeout": None,
        "withdraw_authorization": "Accepted",
        "set_master_pass_group_id": None,
    },
    "reservation": {
        "cancel_reservation": True,
        "reserve_now": "Accepted",
        "exists_reservation": "NotReserved",
    },
    "system": {
        "get_boot_reason": "PowerUp",
        "update_firmware": "Accepted",
        "allow_firmware_installation": None,
        "upload_logs": {"upload_logs_status": "Accepted"},
        "is_reset_allowed": True,
        "reset": None,
        "set_system_time": True,
    },
    "external_energy_limits": {"set_external_limits": None},
    "charger_information": {
        "get_charger_information": {
            "vendor": "ProbeVendor",
            "model": "ProbeCharger",
            "chargepoint_serial": "PRB-0001",
            "chargebox_serial": "PRB-CB-0001",
            "firmware_version": "1.2.3",
        }
    },
    "ocpp_data_transfer": {"data_transfer": {"status": "UnknownVendorId"}},
    "display_message": {
        "set_display_message": {"status": "Accepted"},
        "get_display_messages": {"messages": []},
        "clear_display_message": {"status": "Accepted"},
    },
    "iso15118_extensions": {"set_get_certificate_response": None},
}
