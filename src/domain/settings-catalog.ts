/**
 * The catalogue of station settings: every configuration key evsed understands, with its type,
 * default, limits, mutability and whether a change needs a reboot.
 *
 * Keys are named as OCPP 1.6 names them (1.6 §9 and the security whitepaper) where 1.6 has the
 * setting; settings 1.6 does not have use the OCPP 2.0.1 variable name. The 2.0.1 device model
 * maps its variables onto the same entries, so a value set through either version is the same
 * value. Must not: read or write storage (settings.ts does).
 */

export type SettingType = 'boolean' | 'integer' | 'string' | 'list';
export type SettingValue = boolean | number | string | string[];

export interface SettingDef {
  key: string;
  type: SettingType;
  default: SettingValue;
  /** Read-only for the CSMS (ChangeConfiguration answers Rejected). */
  readonly?: boolean;
  /** Never reported (GetConfiguration leaves it out), e.g. passwords. */
  writeOnly?: boolean;
  min?: number;
  max?: number;
  /** Allowed members (list) or values (string). */
  values?: readonly string[];
  /** Longest allowed list (list). */
  maxItems?: number;
  /** Longest allowed string, characters. */
  maxLength?: number;
  /** Every list member (list) or the value (string) must match. */
  pattern?: RegExp;
  /** Takes effect only after a restart: ChangeConfiguration answers RebootRequired. */
  rebootRequired?: boolean;
  /** OCPP 1.6 feature profile the key belongs to ('Internal' = evsed's own). */
  profile: 'Core' | 'LocalAuthListManagement' | 'Reservation' | 'SmartCharging' | 'Security' | 'Internal';
  /** Not a 1.6 key: hidden from 1.6 GetConfiguration unless asked by name. */
  v201Only?: boolean;
}

/** Measurands the meter path can report (1.6 / 2.0.1 MeasurandEnumType names). */
export const SUPPORTED_MEASURANDS = [
  'Energy.Active.Import.Register',
  'Power.Active.Import',
  'Current.Import',
  'Voltage',
  'SoC',
  'Current.Offered',
  'Power.Offered',
] as const;
export type Measurand = (typeof SUPPORTED_MEASURANDS)[number];

const M = SUPPORTED_MEASURANDS;
const MEASURAND_LIST_MAX = 8;

export const FEATURE_PROFILES = ['Core', 'LocalAuthListManagement', 'Reservation', 'RemoteTrigger', 'SmartCharging'] as const;

/** 2.0.1 TxStartPoint / TxStopPoint values evsed can act on (no parking-bay sensor, no signed meter). */
export const TX_POINTS = ['EVConnected', 'Authorized', 'PowerPathClosed', 'EnergyTransfer'] as const;

/** 2.0.1 ClockCtrlr.TimeSource values: the CSMS time (BootNotification / Heartbeat) and the board's own clock. */
export const TIME_SOURCES = ['Heartbeat', 'RealTimeClock'] as const;

export const SETTINGS: readonly SettingDef[] = [
  // Core profile (1.6 §9.1)
  { key: 'AllowOfflineTxForUnknownId', type: 'boolean', default: false, profile: 'Core' },
  { key: 'AuthorizationCacheEnabled', type: 'boolean', default: true, profile: 'Core' },
  { key: 'AuthorizeRemoteTxRequests', type: 'boolean', default: false, profile: 'Core' },
  { key: 'ClockAlignedDataInterval', type: 'integer', default: 0, min: 0, max: 86400, profile: 'Core' },
  { key: 'ConnectionTimeOut', type: 'integer', default: 60, min: 1, max: 3600, profile: 'Core' },
  {
    key: 'ConnectorPhaseRotation',
    type: 'list',
    default: ['0.RST'],
    maxItems: 33,
    pattern: /^\d+\.(RST|RTS|SRT|STR|TRS|TSR|NotApplicable|Unknown)$/,
    profile: 'Core',
  },
  { key: 'ConnectorPhaseRotationMaxLength', type: 'integer', default: 33, readonly: true, profile: 'Core' },
  { key: 'GetConfigurationMaxKeys', type: 'integer', default: 100, readonly: true, profile: 'Core' },
  { key: 'HeartbeatInterval', type: 'integer', default: 300, min: 0, max: 86400, profile: 'Core' },
  { key: 'LocalAuthorizeOffline', type: 'boolean', default: true, profile: 'Core' },
  { key: 'LocalPreAuthorize', type: 'boolean', default: false, profile: 'Core' },
  { key: 'MaxEnergyOnInvalidId', type: 'integer', default: 0, min: 0, max: 1_000_000, profile: 'Core' },
  {
    key: 'MeterValuesAlignedData',
    type: 'list',
    default: ['Energy.Active.Import.Register'],
    values: M,
    maxItems: MEASURAND_LIST_MAX,
    profile: 'Core',
  },
  { key: 'MeterValuesAlignedDataMaxLength', type: 'integer', default: MEASURAND_LIST_MAX, readonly: true, profile: 'Core' },
  {
    key: 'MeterValuesSampledData',
    type: 'list',
    default: ['Energy.Active.Import.Register', 'Power.Active.Import'],
    values: M,
    maxItems: MEASURAND_LIST_MAX,
    profile: 'Core',
  },
  { key: 'MeterValuesSampledDataMaxLength', type: 'integer', default: MEASURAND_LIST_MAX, readonly: true, profile: 'Core' },
  { key: 'MeterValueSampleInterval', type: 'integer', default: 60, min: 0, max: 86400, profile: 'Core' },
  { key: 'MinimumStatusDuration', type: 'integer', default: 0, min: 0, max: 3600, profile: 'Core' },
  { key: 'NumberOfConnectors', type: 'integer', default: 1, readonly: true, profile: 'Core' },
  { key: 'ResetRetries', type: 'integer', default: 1, min: 0, max: 10, profile: 'Core' },
  { key: 'StopTransactionOnEVSideDisconnect', type: 'boolean', default: true, profile: 'Core' },
  { key: 'StopTransactionOnInvalidId', type: 'boolean', default: true, profile: 'Core' },
  { key: 'StopTxnAlignedData', type: 'list', default: [], values: M, maxItems: MEASURAND_LIST_MAX, profile: 'Core' },
  { key: 'StopTxnAlignedDataMaxLength', type: 'integer', default: MEASURAND_LIST_MAX, readonly: true, profile: 'Core' },
  {
    key: 'StopTxnSampledData',
    type: 'list',
    default: ['Energy.Active.Import.Register'],
    values: M,
    maxItems: MEASURAND_LIST_MAX,
    profile: 'Core',
  },
  { key: 'StopTxnSampledDataMaxLength', type: 'integer', default: MEASURAND_LIST_MAX, readonly: true, profile: 'Core' },
  { key: 'StopTransactionMaxMeterValues', type: 'integer', default: 100, min: 2, max: 10_000, profile: 'Core' },
  { key: 'SupportedFeatureProfiles', type: 'list', default: [...FEATURE_PROFILES], readonly: true, profile: 'Core' },
  { key: 'SupportedFeatureProfilesMaxLength', type: 'integer', default: 8, readonly: true, profile: 'Core' },
  { key: 'TransactionMessageAttempts', type: 'integer', default: 3, min: 1, max: 100, profile: 'Core' },
  { key: 'TransactionMessageRetryInterval', type: 'integer', default: 60, min: 0, max: 86400, profile: 'Core' },
  { key: 'UnlockConnectorOnEVSideDisconnect', type: 'boolean', default: true, profile: 'Core' },
  { key: 'WebSocketPingInterval', type: 'integer', default: 30, min: 0, max: 3600, profile: 'Core' },
  { key: 'MessageTimeout', type: 'integer', default: 30, min: 1, max: 600, profile: 'Core' },
  // Local Auth List Management (1.6 §9.2)
  { key: 'LocalAuthListEnabled', type: 'boolean', default: true, profile: 'LocalAuthListManagement' },
  { key: 'LocalAuthListMaxLength', type: 'integer', default: 10_000, readonly: true, profile: 'LocalAuthListManagement' },
  { key: 'SendLocalListMaxLength', type: 'integer', default: 1_000, readonly: true, profile: 'LocalAuthListManagement' },
  // Reservation (1.6 §9.3)
  { key: 'ReserveConnectorZeroSupported', type: 'boolean', default: true, readonly: true, profile: 'Reservation' },
  // Reconnect back-off (2.0.1 OCPPCommCtrlr semantics; libocpp offers the same keys for 1.6).
  { key: 'RetryBackOffWaitMinimum', type: 'integer', default: 3, min: 0, max: 3600, profile: 'Internal' },
  { key: 'RetryBackOffRandomRange', type: 'integer', default: 10, min: 0, max: 3600, profile: 'Internal' },
  { key: 'RetryBackOffRepeatTimes', type: 'integer', default: 3, min: 0, max: 20, profile: 'Internal' },
  // Offline queue bound (evsed's own; see README "Offline transaction buffer").
  { key: 'QueueMaxMessages', type: 'integer', default: 100_000, min: 100, max: 10_000_000, profile: 'Internal' },
  // OCPP 2.0.1 only: device model variables with no 1.6 key, named after the 2.0.1 variable
  // (prefixed with the controller where the name alone is ambiguous). The mapping of every 2.0.1
  // variable onto these keys is in src/ocpp/v201/device-model/catalog.ts.
  { key: 'OfflineThreshold', type: 'integer', default: 300, min: 0, max: 86_400, profile: 'Core', v201Only: true },
  { key: 'QueueAllMessages', type: 'boolean', default: false, profile: 'Core', v201Only: true },
  // Network connection profile slots: only slot 0 (the configuration file's csms.*) exists so far.
  {
    key: 'NetworkConfigurationPriority',
    type: 'list',
    default: ['0'],
    values: ['0'],
    maxItems: 1,
    rebootRequired: true,
    profile: 'Core',
    v201Only: true,
  },
  { key: 'NetworkProfileConnectionAttempts', type: 'integer', default: 3, min: 1, max: 100, profile: 'Core', v201Only: true },
  {
    key: 'TxStartPoint',
    type: 'list',
    default: ['PowerPathClosed'],
    values: TX_POINTS,
    maxItems: TX_POINTS.length,
    profile: 'Core',
    v201Only: true,
  },
  {
    key: 'TxStopPoint',
    type: 'list',
    default: ['EVConnected', 'Authorized'],
    values: TX_POINTS,
    maxItems: TX_POINTS.length,
    profile: 'Core',
    v201Only: true,
  },
  { key: 'TxBeforeAcceptedEnabled', type: 'boolean', default: false, profile: 'Core', v201Only: true },
  {
    key: 'TxStartedMeasurands',
    type: 'list',
    default: ['Energy.Active.Import.Register'],
    values: M,
    maxItems: MEASURAND_LIST_MAX,
    profile: 'Core',
    v201Only: true,
  },
  { key: 'SampledDataTxEndedInterval', type: 'integer', default: 0, min: 0, max: 86_400, profile: 'Core', v201Only: true },
  { key: 'SampledDataEnabled', type: 'boolean', default: true, profile: 'Core', v201Only: true },
  { key: 'AlignedDataEnabled', type: 'boolean', default: true, profile: 'Core', v201Only: true },
  { key: 'AlignedDataTxEndedInterval', type: 'integer', default: 0, min: 0, max: 86_400, profile: 'Core', v201Only: true },
  { key: 'AuthEnabled', type: 'boolean', default: true, profile: 'Core', v201Only: true },
  { key: 'MasterPassGroupId', type: 'string', default: '', maxLength: 36, profile: 'Core', v201Only: true },
  { key: 'DisableRemoteAuthorization', type: 'boolean', default: false, profile: 'Core', v201Only: true },
  // Seconds an unused cache entry lives; 0 = no limit (entries expire only by cacheExpiryDateTime).
  { key: 'AuthCacheLifeTime', type: 'integer', default: 0, min: 0, max: 31_536_000, profile: 'Core', v201Only: true },
  { key: 'AuthCacheDisablePostAuthorize', type: 'boolean', default: false, profile: 'Core', v201Only: true },
  {
    key: 'LocalAuthListDisablePostAuthorize',
    type: 'boolean',
    default: false,
    profile: 'LocalAuthListManagement',
    v201Only: true,
  },
  { key: 'ReservationEnabled', type: 'boolean', default: true, profile: 'Reservation', v201Only: true },
  {
    key: 'TimeSource',
    type: 'list',
    default: ['Heartbeat'],
    values: TIME_SOURCES,
    maxItems: TIME_SOURCES.length,
    profile: 'Core',
    v201Only: true,
  },
  // 2.0.1 SecurityCtrlr.OrganizationName under its 1.6 security-whitepaper name; reported to 1.6
  // only when asked by name until evsed's 1.6 side implements the security extension.
  { key: 'CpoName', type: 'string', default: '', maxLength: 64, profile: 'Security', v201Only: true },
  // 2.0.1 SecurityCtrlr.BasicAuthPassword: 16–64 characters (errata 2025-01). '' = not set by the
  // CSMS: the configuration file's csms.password applies.
  {
    key: 'BasicAuthPassword',
    type: 'string',
    default: '',
    writeOnly: true,
    maxLength: 64,
    pattern: /^[^\u0000-\u001f\u007f]{16,64}$/u,
    profile: 'Security',
    v201Only: true,
  },
  // Smart Charging profile (1.6 §9.4): capabilities, read-only for the CSMS (the configuration
  // file's `settings` may set them). 2.0.1 SmartChargingCtrlr maps onto the same entries:
  // ProfileStackLevel → ChargeProfileMaxStackLevel; RateUnit (A, W) → ChargingScheduleAllowedChargingRateUnit
  // (Current, Power); PeriodsPerSchedule → ChargingScheduleMaxPeriods; Entries[ChargingProfiles]
  // maxLimit → MaxChargingProfilesInstalled (its Actual is the number installed);
  // Phases3to1 → ConnectorSwitch3to1PhaseSupported.
  { key: 'ChargeProfileMaxStackLevel', type: 'integer', default: 10, min: 0, max: 1000, readonly: true, profile: 'SmartCharging' },
  {
    key: 'ChargingScheduleAllowedChargingRateUnit',
    type: 'list',
    default: ['Current', 'Power'],
    values: ['Current', 'Power'],
    maxItems: 2,
    readonly: true,
    profile: 'SmartCharging',
  },
  { key: 'ChargingScheduleMaxPeriods', type: 'integer', default: 48, min: 1, max: 1000, readonly: true, profile: 'SmartCharging' },
  { key: 'MaxChargingProfilesInstalled', type: 'integer', default: 32, min: 1, max: 1000, readonly: true, profile: 'SmartCharging' },
  // evsed cannot switch phases during a transaction.
  { key: 'ConnectorSwitch3to1PhaseSupported', type: 'boolean', default: false, readonly: true, profile: 'SmartCharging' },
  // 2.0.1 SmartChargingCtrlr variables without a 1.6 key. LimitChangeSignificance is a decimal
  // percentage (0–100) kept as its text; read it with limitChangeSignificancePct()
  // (src/domain/smart-charging/settings.ts).
  {
    key: 'LimitChangeSignificance',
    type: 'string',
    default: '5',
    maxLength: 12,
    pattern: /^(100(\.0+)?|\d{1,2}(\.\d+)?)$/,
    profile: 'SmartCharging',
    v201Only: true,
  },
  { key: 'NotifyChargingLimitWithSchedules', type: 'boolean', default: false, profile: 'SmartCharging', v201Only: true },
  // false: the station ignores its energy-manager inputs (local limits and external constraints).
  { key: 'ExternalControlSignalsEnabled', type: 'boolean', default: true, profile: 'SmartCharging', v201Only: true },
];

export const SETTINGS_BY_KEY: ReadonlyMap<string, SettingDef> = new Map(SETTINGS.map((d) => [d.key, d]));
