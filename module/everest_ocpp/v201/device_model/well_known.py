"""Well-known component/variable references of the standardized controllers, and the required set.

Use these constants with the typed accessors, e.g. ``dm.get_int(HEARTBEAT_INTERVAL)``.
"""

from __future__ import annotations

from everest_ocpp.variables import VariableRef


def _ref(component: str, variable: str, instance: str | None = None) -> VariableRef:
    return VariableRef(component=component, variable=variable, variable_instance=instance)


# --- InternalCtrlr (module-internal settings, not from the OCPP standard) ---
CHARGE_POINT_ID = _ref("InternalCtrlr", "ChargePointId")
NETWORK_CONNECTION_PROFILES = _ref("InternalCtrlr", "NetworkConnectionProfiles")
CHARGE_BOX_SERIAL_NUMBER = _ref("InternalCtrlr", "ChargeBoxSerialNumber")
CHARGE_POINT_MODEL = _ref("InternalCtrlr", "ChargePointModel")
CHARGE_POINT_SERIAL_NUMBER = _ref("InternalCtrlr", "ChargePointSerialNumber")
CHARGE_POINT_VENDOR = _ref("InternalCtrlr", "ChargePointVendor")
FIRMWARE_VERSION = _ref("InternalCtrlr", "FirmwareVersion")
NUMBER_OF_CONNECTORS = _ref("InternalCtrlr", "NumberOfConnectors")
SUPPORTED_OCPP_VERSIONS = _ref("InternalCtrlr", "SupportedOcppVersions")
SUPPORTED_CRITERIA = _ref("InternalCtrlr", "SupportedCriteria")
MONITORS_PROCESSING_INTERVAL = _ref("InternalCtrlr", "MonitorsProcessingInterval")
ALLOW_SECURITY_LEVEL_ZERO_CONNECTIONS = _ref("InternalCtrlr", "AllowSecurityLevelZeroConnections")

# --- OCPPCommCtrlr ---
HEARTBEAT_INTERVAL = _ref("OCPPCommCtrlr", "HeartbeatInterval")
MESSAGE_TIMEOUT = _ref("OCPPCommCtrlr", "MessageTimeout", "Default")
MESSAGE_ATTEMPTS_TRANSACTION_EVENT = _ref("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent")
MESSAGE_ATTEMPT_INTERVAL_TRANSACTION_EVENT = _ref(
    "OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent"
)
NETWORK_CONFIGURATION_PRIORITY = _ref("OCPPCommCtrlr", "NetworkConfigurationPriority")
NETWORK_PROFILE_CONNECTION_ATTEMPTS = _ref("OCPPCommCtrlr", "NetworkProfileConnectionAttempts")
OFFLINE_THRESHOLD = _ref("OCPPCommCtrlr", "OfflineThreshold")
RESET_RETRIES = _ref("OCPPCommCtrlr", "ResetRetries")
RETRY_BACK_OFF_RANDOM_RANGE = _ref("OCPPCommCtrlr", "RetryBackOffRandomRange")
RETRY_BACK_OFF_REPEAT_TIMES = _ref("OCPPCommCtrlr", "RetryBackOffRepeatTimes")
RETRY_BACK_OFF_WAIT_MINIMUM = _ref("OCPPCommCtrlr", "RetryBackOffWaitMinimum")
UNLOCK_ON_EV_SIDE_DISCONNECT = _ref("OCPPCommCtrlr", "UnlockOnEVSideDisconnect")
WEBSOCKET_PING_INTERVAL = _ref("OCPPCommCtrlr", "WebSocketPingInterval")
ACTIVE_NETWORK_PROFILE = _ref("OCPPCommCtrlr", "ActiveNetworkProfile")
FILE_TRANSFER_PROTOCOLS = _ref("OCPPCommCtrlr", "FileTransferProtocols")

# --- SecurityCtrlr ---
BASIC_AUTH_PASSWORD = _ref("SecurityCtrlr", "BasicAuthPassword")
SECURITY_PROFILE = _ref("SecurityCtrlr", "SecurityProfile")
IDENTITY = _ref("SecurityCtrlr", "Identity")
ORGANIZATION_NAME = _ref("SecurityCtrlr", "OrganizationName")
CERTIFICATE_ENTRIES = _ref("SecurityCtrlr", "CertificateEntries")

# --- DeviceDataCtrlr ---
ITEMS_PER_MESSAGE_GET_VARIABLES = _ref("DeviceDataCtrlr", "ItemsPerMessage", "GetVariables")
ITEMS_PER_MESSAGE_SET_VARIABLES = _ref("DeviceDataCtrlr", "ItemsPerMessage", "SetVariables")
ITEMS_PER_MESSAGE_GET_REPORT = _ref("DeviceDataCtrlr", "ItemsPerMessage", "GetReport")
BYTES_PER_MESSAGE_GET_VARIABLES = _ref("DeviceDataCtrlr", "BytesPerMessage", "GetVariables")
BYTES_PER_MESSAGE_SET_VARIABLES = _ref("DeviceDataCtrlr", "BytesPerMessage", "SetVariables")
BYTES_PER_MESSAGE_GET_REPORT = _ref("DeviceDataCtrlr", "BytesPerMessage", "GetReport")

# --- MonitoringCtrlr ---
MONITORING_AVAILABLE = _ref("MonitoringCtrlr", "Available")
MONITORING_ENABLED = _ref("MonitoringCtrlr", "Enabled")
ACTIVE_MONITORING_BASE = _ref("MonitoringCtrlr", "ActiveMonitoringBase")
ACTIVE_MONITORING_LEVEL = _ref("MonitoringCtrlr", "ActiveMonitoringLevel")
OFFLINE_QUEUING_SEVERITY = _ref("MonitoringCtrlr", "OfflineQueuingSeverity")
ITEMS_PER_MESSAGE_SET_VARIABLE_MONITORING = _ref(
    "MonitoringCtrlr", "ItemsPerMessage", "SetVariableMonitoring"
)
BYTES_PER_MESSAGE_SET_VARIABLE_MONITORING = _ref(
    "MonitoringCtrlr", "BytesPerMessage", "SetVariableMonitoring"
)
ITEMS_PER_MESSAGE_CLEAR_VARIABLE_MONITORING = _ref(
    "MonitoringCtrlr", "ItemsPerMessage", "ClearVariableMonitoring"
)
BYTES_PER_MESSAGE_CLEAR_VARIABLE_MONITORING = _ref(
    "MonitoringCtrlr", "BytesPerMessage", "ClearVariableMonitoring"
)

# --- SmartChargingCtrlr ---
SMART_CHARGING_AVAILABLE = _ref("SmartChargingCtrlr", "Available")
SMART_CHARGING_ENABLED = _ref("SmartChargingCtrlr", "Enabled")
CHARGING_RATE_UNIT = _ref("SmartChargingCtrlr", "RateUnit")
PROFILE_STACK_LEVEL = _ref("SmartChargingCtrlr", "ProfileStackLevel")
PERIODS_PER_SCHEDULE = _ref("SmartChargingCtrlr", "PeriodsPerSchedule")
ENTRIES_CHARGING_PROFILES = _ref("SmartChargingCtrlr", "Entries", "ChargingProfiles")
LIMIT_CHANGE_SIGNIFICANCE = _ref("SmartChargingCtrlr", "LimitChangeSignificance")
COMPOSITE_SCHEDULE_DEFAULT_LIMIT_AMPS = _ref("SmartChargingCtrlr", "CompositeScheduleDefaultLimitAmps")
COMPOSITE_SCHEDULE_DEFAULT_LIMIT_WATTS = _ref("SmartChargingCtrlr", "CompositeScheduleDefaultLimitWatts")
COMPOSITE_SCHEDULE_DEFAULT_NUMBER_PHASES = _ref("SmartChargingCtrlr", "CompositeScheduleDefaultNumberPhases")
SUPPLY_VOLTAGE = _ref("SmartChargingCtrlr", "SupplyVoltage")
IGNORED_PROFILE_PURPOSES_OFFLINE = _ref("SmartChargingCtrlr", "IgnoredProfilePurposesOffline")

# --- AlignedDataCtrlr / SampledDataCtrlr ---
ALIGNED_DATA_INTERVAL = _ref("AlignedDataCtrlr", "Interval")
ALIGNED_DATA_MEASURANDS = _ref("AlignedDataCtrlr", "Measurands")
ALIGNED_DATA_TX_ENDED_INTERVAL = _ref("AlignedDataCtrlr", "TxEndedInterval")
ALIGNED_DATA_TX_ENDED_MEASURANDS = _ref("AlignedDataCtrlr", "TxEndedMeasurands")
SAMPLED_DATA_TX_STARTED_MEASURANDS = _ref("SampledDataCtrlr", "TxStartedMeasurands")
SAMPLED_DATA_TX_UPDATED_INTERVAL = _ref("SampledDataCtrlr", "TxUpdatedInterval")
SAMPLED_DATA_TX_UPDATED_MEASURANDS = _ref("SampledDataCtrlr", "TxUpdatedMeasurands")
SAMPLED_DATA_TX_ENDED_INTERVAL = _ref("SampledDataCtrlr", "TxEndedInterval")
SAMPLED_DATA_TX_ENDED_MEASURANDS = _ref("SampledDataCtrlr", "TxEndedMeasurands")

# --- AuthCtrlr / AuthCacheCtrlr / LocalAuthListCtrlr ---
AUTHORIZE_REMOTE_START = _ref("AuthCtrlr", "AuthorizeRemoteStart")
LOCAL_AUTHORIZE_OFFLINE = _ref("AuthCtrlr", "LocalAuthorizeOffline")
LOCAL_PRE_AUTHORIZE = _ref("AuthCtrlr", "LocalPreAuthorize")
MASTER_PASS_GROUP_ID = _ref("AuthCtrlr", "MasterPassGroupId")
AUTH_CACHE_ENABLED = _ref("AuthCacheCtrlr", "Enabled")
LOCAL_AUTH_LIST_AVAILABLE = _ref("LocalAuthListCtrlr", "Available")
LOCAL_AUTH_LIST_ENABLED = _ref("LocalAuthListCtrlr", "Enabled")

# --- TxCtrlr ---
EV_CONNECTION_TIMEOUT = _ref("TxCtrlr", "EVConnectionTimeOut")
STOP_TX_ON_EV_SIDE_DISCONNECT = _ref("TxCtrlr", "StopTxOnEVSideDisconnect")
STOP_TX_ON_INVALID_ID = _ref("TxCtrlr", "StopTxOnInvalidId")
TX_START_POINT = _ref("TxCtrlr", "TxStartPoint")
TX_STOP_POINT = _ref("TxCtrlr", "TxStopPoint")

# --- ISO15118Ctrlr / ChargingStation / ClockCtrlr ---
CENTRAL_CONTRACT_VALIDATION_ALLOWED = _ref("ISO15118Ctrlr", "CentralContractValidationAllowed")
CONTRACT_VALIDATION_OFFLINE = _ref("ISO15118Ctrlr", "ContractValidationOffline")
CHARGING_STATION_AVAILABILITY_STATE = _ref("ChargingStation", "AvailabilityState")
CHARGING_STATION_AVAILABLE = _ref("ChargingStation", "Available")
CHARGING_STATION_SUPPLY_PHASES = _ref("ChargingStation", "SupplyPhases")
TIME_SOURCE = _ref("ClockCtrlr", "TimeSource")

# OCPP lets 0 switch these intervals off whatever their minLimit says.
ZERO_ALLOWED = frozenset(
    {ALIGNED_DATA_INTERVAL, SAMPLED_DATA_TX_UPDATED_INTERVAL, SAMPLED_DATA_TX_ENDED_INTERVAL}
)

# Variables that must have an Actual value after initialisation (the ones the module reads without a
# fallback). Same set libocpp checks, minus ClockCtrlr.DateTime (a runtime value) and TLS/log settings.
REQUIRED_VARIABLES: tuple[VariableRef, ...] = (
    ALIGNED_DATA_INTERVAL,
    ALIGNED_DATA_MEASURANDS,
    ALIGNED_DATA_TX_ENDED_INTERVAL,
    ALIGNED_DATA_TX_ENDED_MEASURANDS,
    SAMPLED_DATA_TX_STARTED_MEASURANDS,
    SAMPLED_DATA_TX_UPDATED_INTERVAL,
    SAMPLED_DATA_TX_UPDATED_MEASURANDS,
    SAMPLED_DATA_TX_ENDED_INTERVAL,
    SAMPLED_DATA_TX_ENDED_MEASURANDS,
    CHARGE_POINT_ID,
    NETWORK_CONNECTION_PROFILES,
    CHARGE_BOX_SERIAL_NUMBER,
    CHARGE_POINT_MODEL,
    CHARGE_POINT_VENDOR,
    FIRMWARE_VERSION,
    NUMBER_OF_CONNECTORS,
    SUPPORTED_OCPP_VERSIONS,
    AUTHORIZE_REMOTE_START,
    LOCAL_AUTHORIZE_OFFLINE,
    LOCAL_PRE_AUTHORIZE,
    CHARGING_STATION_AVAILABILITY_STATE,
    CHARGING_STATION_AVAILABLE,
    CHARGING_STATION_SUPPLY_PHASES,
    TIME_SOURCE,
    ITEMS_PER_MESSAGE_GET_VARIABLES,
    ITEMS_PER_MESSAGE_SET_VARIABLES,
    ITEMS_PER_MESSAGE_GET_REPORT,
    BYTES_PER_MESSAGE_GET_VARIABLES,
    BYTES_PER_MESSAGE_SET_VARIABLES,
    BYTES_PER_MESSAGE_GET_REPORT,
    CONTRACT_VALIDATION_OFFLINE,
    FILE_TRANSFER_PROTOCOLS,
    MESSAGE_TIMEOUT,
    MESSAGE_ATTEMPTS_TRANSACTION_EVENT,
    MESSAGE_ATTEMPT_INTERVAL_TRANSACTION_EVENT,
    NETWORK_CONFIGURATION_PRIORITY,
    NETWORK_PROFILE_CONNECTION_ATTEMPTS,
    OFFLINE_THRESHOLD,
    RESET_RETRIES,
    RETRY_BACK_OFF_RANDOM_RANGE,
    RETRY_BACK_OFF_REPEAT_TIMES,
    RETRY_BACK_OFF_WAIT_MINIMUM,
    UNLOCK_ON_EV_SIDE_DISCONNECT,
    WEBSOCKET_PING_INTERVAL,
    CERTIFICATE_ENTRIES,
    IDENTITY,
    ORGANIZATION_NAME,
    SECURITY_PROFILE,
    EV_CONNECTION_TIMEOUT,
    STOP_TX_ON_EV_SIDE_DISCONNECT,
    STOP_TX_ON_INVALID_ID,
    TX_START_POINT,
    TX_STOP_POINT,
)

# Required only while the controller's Available variable is "true".
REQUIRED_WHEN_AVAILABLE: tuple[tuple[VariableRef, tuple[VariableRef, ...]], ...] = (
    (
        LOCAL_AUTH_LIST_AVAILABLE,
        (
            _ref("LocalAuthListCtrlr", "Entries"),
            _ref("LocalAuthListCtrlr", "ItemsPerMessage"),
            _ref("LocalAuthListCtrlr", "BytesPerMessage"),
        ),
    ),
    (
        SMART_CHARGING_AVAILABLE,
        (
            PROFILE_STACK_LEVEL,
            CHARGING_RATE_UNIT,
            PERIODS_PER_SCHEDULE,
            ENTRIES_CHARGING_PROFILES,
            LIMIT_CHANGE_SIGNIFICANCE,
            COMPOSITE_SCHEDULE_DEFAULT_LIMIT_AMPS,
            COMPOSITE_SCHEDULE_DEFAULT_LIMIT_WATTS,
            COMPOSITE_SCHEDULE_DEFAULT_NUMBER_PHASES,
            SUPPLY_VOLTAGE,
        ),
    ),
    (_ref("TariffCostCtrlr", "Available", "Tariff"), (_ref("TariffCostCtrlr", "TariffFallbackMessage"),)),
    (
        _ref("TariffCostCtrlr", "Available", "Cost"),
        (_ref("TariffCostCtrlr", "TotalCostFallbackMessage"), _ref("TariffCostCtrlr", "Currency")),
    ),
    (
        MONITORING_AVAILABLE,
        (ITEMS_PER_MESSAGE_SET_VARIABLE_MONITORING, BYTES_PER_MESSAGE_SET_VARIABLE_MONITORING),
    ),
    (
        _ref("DisplayMessageCtrlr", "Available"),
        (
            _ref("DisplayMessageCtrlr", "DisplayMessages"),
            _ref("DisplayMessageCtrlr", "SupportedFormats"),
            _ref("DisplayMessageCtrlr", "SupportedPriorities"),
        ),
    ),
)

# Per EVSE / per connector (component "EVSE" with evse id; "Connector" with evse and connector id).
REQUIRED_EVSE_VARIABLES = ("Available", "AvailabilityState", "SupplyPhases", "Power")
REQUIRED_CONNECTOR_VARIABLES = ("Available", "AvailabilityState", "SupplyPhases", "ConnectorType")
