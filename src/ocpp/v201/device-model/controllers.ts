/**
 * The controller components of evsed's 2.0.1 device model (part 2, "Referenced Components and
 * Variables"): every required variable of the functional blocks evsed implements (Core: general,
 * security, authorization, authorization cache, transactions, metering; Local Authorization List
 * Management; Reservation; Smart Charging), and the optional ones evsed acts on.
 *
 * Owns: the declaration only — names, mutability, characteristics, and which setting or live
 * source holds each value (the table is in catalog.ts). Must not: read values at declaration
 * time (live values are closures read on demand).
 */
import {
  constant,
  DM_LIMITS,
  fromSetting,
  live,
  stored,
  type CatalogSources,
  type ComponentDef,
  type VariableDef,
} from './model.js';

const INSTANCES = ['GetReport', 'GetVariables', 'SetVariables'] as const;

/** An IANA time zone name the runtime knows, or '' (not set: UTC). */
function checkTimeZone(value: string): string | null {
  if (value === '') return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return null;
  } catch (err) {
    if (err instanceof RangeError) return `"${value}" is not a known IANA time zone`;
    throw err;
  }
}

function ocppCommCtrlr(s: CatalogSources): ComponentDef {
  const anyLock = s.runtime.connectors.some((c) => c.info.hasLock);
  const unlock: VariableDef = anyLock
    ? fromSetting('UnlockOnEVSideDisconnect', 'UnlockConnectorOnEVSideDisconnect')
    : // Only fixed cables: ReadOnly and false (OCPPCommCtrlr.UnlockOnEVSideDisconnect).
      constant('UnlockOnEVSideDisconnect', 'boolean', 'false');
  return {
    name: 'OCPPCommCtrlr',
    variables: [
      constant('ActiveNetworkProfile', 'integer', '0'),
      constant('FileTransferProtocols', 'MemberList', 'HTTP,HTTPS', { valuesList: ['HTTP', 'HTTPS'] }),
      fromSetting('HeartbeatInterval', 'HeartbeatInterval', { unit: 's', minLimit: 1 }),
      fromSetting('MessageAttemptInterval', 'TransactionMessageRetryInterval', { instance: 'TransactionEvent', unit: 's' }),
      fromSetting('MessageAttempts', 'TransactionMessageAttempts', { instance: 'TransactionEvent' }),
      // Configured through the NetworkConnectionProfile in 2.0.1: ReadOnly here (TC_B_39_CS).
      fromSetting('MessageTimeout', 'MessageTimeout', { instance: 'Default', unit: 's', mutability: 'ReadOnly' }),
      fromSetting('NetworkConfigurationPriority', 'NetworkConfigurationPriority', {
        dataType: 'SequenceList',
        rules: { nonEmpty: true },
      }),
      fromSetting('NetworkProfileConnectionAttempts', 'NetworkProfileConnectionAttempts'),
      fromSetting('OfflineThreshold', 'OfflineThreshold', { unit: 's' }),
      fromSetting('QueueAllMessages', 'QueueAllMessages'),
      fromSetting('ResetRetries', 'ResetRetries'),
      fromSetting('RetryBackOffRandomRange', 'RetryBackOffRandomRange', { unit: 's' }),
      fromSetting('RetryBackOffRepeatTimes', 'RetryBackOffRepeatTimes'),
      fromSetting('RetryBackOffWaitMinimum', 'RetryBackOffWaitMinimum', { unit: 's' }),
      unlock,
      fromSetting('WebSocketPingInterval', 'WebSocketPingInterval', { unit: 's' }),
    ],
  };
}

function deviceDataCtrlr(): ComponentDef {
  const items = {
    GetReport: DM_LIMITS.getReportItems,
    GetVariables: DM_LIMITS.getVariablesItems,
    SetVariables: DM_LIMITS.setVariablesItems,
  };
  return {
    name: 'DeviceDataCtrlr',
    variables: [
      ...INSTANCES.map((instance) => constant('BytesPerMessage', 'integer', String(DM_LIMITS.bytesPerMessage), { instance })),
      constant('ConfigurationValueSize', 'integer', String(DM_LIMITS.configurationValueSize), {
        maxLimit: DM_LIMITS.configurationValueSize,
      }),
      ...INSTANCES.map((instance) => constant('ItemsPerMessage', 'integer', String(items[instance]), { instance })),
      constant('ReportingValueSize', 'integer', String(DM_LIMITS.reportingValueSize), { maxLimit: DM_LIMITS.reportingValueSize }),
    ],
  };
}

function clockCtrlr(s: CatalogSources): ComponentDef {
  return {
    name: 'ClockCtrlr',
    variables: [
      live('DateTime', 'dateTime', () => s.clock.isoNow()),
      fromSetting('TimeSource', 'TimeSource', { dataType: 'SequenceList', rules: { nonEmpty: true } }),
      stored('TimeZone', 'string', '', { maxLimit: 64, rules: { check: checkTimeZone } }),
    ],
  };
}

function securityCtrlr(s: CatalogSources): ComponentDef {
  return {
    name: 'SecurityCtrlr',
    variables: [
      fromSetting('BasicAuthPassword', 'BasicAuthPassword', { rules: { minLength: 16 } }),
      constant('CertificateEntries', 'integer', '0', { maxLimit: 0 }),
      constant('Identity', 'string', s.config.identity, { maxLimit: 48 }),
      fromSetting('OrganizationName', 'CpoName'),
      constant('SecurityProfile', 'integer', String(s.config.csms.securityProfile)),
    ],
  };
}

function authCtrlr(): ComponentDef {
  return {
    name: 'AuthCtrlr',
    variables: [
      fromSetting('AuthorizeRemoteStart', 'AuthorizeRemoteTxRequests'),
      fromSetting('DisableRemoteAuthorization', 'DisableRemoteAuthorization'),
      fromSetting('Enabled', 'AuthEnabled'),
      // The 2.0.1 tables and OCTT also spell these LocalAuthorizationOffline / LocalPreAuthorization.
      fromSetting('LocalAuthorizeOffline', 'LocalAuthorizeOffline', { aliases: ['LocalAuthorizationOffline'] }),
      fromSetting('LocalPreAuthorize', 'LocalPreAuthorize', { aliases: ['LocalPreAuthorization'] }),
      fromSetting('MasterPassGroupId', 'MasterPassGroupId'),
      fromSetting('OfflineTxForUnknownIdEnabled', 'AllowOfflineTxForUnknownId'),
    ],
  };
}

function authCacheCtrlr(): ComponentDef {
  return {
    name: 'AuthCacheCtrlr',
    variables: [
      constant('Available', 'boolean', 'true'),
      fromSetting('DisablePostAuthorize', 'AuthCacheDisablePostAuthorize'),
      fromSetting('Enabled', 'AuthorizationCacheEnabled'),
      fromSetting('LifeTime', 'AuthCacheLifeTime', { unit: 's' }),
    ],
  };
}

function localAuthListCtrlr(s: CatalogSources): ComponentDef {
  return {
    name: 'LocalAuthListCtrlr',
    variables: [
      constant('Available', 'boolean', 'true'),
      constant('BytesPerMessage', 'integer', String(s.maxFrameBytes)),
      fromSetting('DisablePostAuthorize', 'LocalAuthListDisablePostAuthorize'),
      fromSetting('Enabled', 'LocalAuthListEnabled'),
      live('Entries', 'integer', () => String(s.localListEntries()), { maxLimit: s.settings.int('LocalAuthListMaxLength') }),
      fromSetting('ItemsPerMessage', 'SendLocalListMaxLength'),
    ],
  };
}

function txCtrlr(): ComponentDef {
  return {
    name: 'TxCtrlr',
    variables: [
      fromSetting('EVConnectionTimeOut', 'ConnectionTimeOut', { unit: 's' }),
      fromSetting('MaxEnergyOnInvalidId', 'MaxEnergyOnInvalidId', { unit: 'Wh' }),
      fromSetting('StopTxOnEVSideDisconnect', 'StopTransactionOnEVSideDisconnect'),
      fromSetting('StopTxOnInvalidId', 'StopTransactionOnInvalidId'),
      fromSetting('TxBeforeAcceptedEnabled', 'TxBeforeAcceptedEnabled'),
      fromSetting('TxStartPoint', 'TxStartPoint', { rules: { nonEmpty: true } }),
      fromSetting('TxStopPoint', 'TxStopPoint', { rules: { nonEmpty: true } }),
    ],
  };
}

function sampledDataCtrlr(): ComponentDef {
  return {
    name: 'SampledDataCtrlr',
    variables: [
      constant('Available', 'boolean', 'true'),
      fromSetting('Enabled', 'SampledDataEnabled'),
      fromSetting('TxEndedInterval', 'SampledDataTxEndedInterval', { unit: 's' }),
      fromSetting('TxEndedMeasurands', 'StopTxnSampledData'),
      fromSetting('TxStartedMeasurands', 'TxStartedMeasurands'),
      fromSetting('TxUpdatedInterval', 'MeterValueSampleInterval', { unit: 's' }),
      fromSetting('TxUpdatedMeasurands', 'MeterValuesSampledData'),
    ],
  };
}

function alignedDataCtrlr(): ComponentDef {
  return {
    name: 'AlignedDataCtrlr',
    variables: [
      constant('Available', 'boolean', 'true'),
      fromSetting('Enabled', 'AlignedDataEnabled'),
      fromSetting('Interval', 'ClockAlignedDataInterval', { unit: 's' }),
      fromSetting('Measurands', 'MeterValuesAlignedData'),
      fromSetting('TxEndedInterval', 'AlignedDataTxEndedInterval', { unit: 's' }),
      fromSetting('TxEndedMeasurands', 'StopTxnAlignedData'),
    ],
  };
}

function smartChargingCtrlr(s: CatalogSources): ComponentDef {
  // RateUnit in 2.0.1 spelling (A, W) of the 1.6 key ChargingScheduleAllowedChargingRateUnit (Current, Power).
  const rateUnits = () =>
    s.settings
      .list('ChargingScheduleAllowedChargingRateUnit')
      .map((u) => (u === 'Current' ? 'A' : 'W'))
      .join(',');
  return {
    name: 'SmartChargingCtrlr',
    variables: [
      constant('Available', 'boolean', 'true'),
      constant('Enabled', 'boolean', 'true'),
      live('Entries', 'integer', () => String(s.chargingProfileEntries()), {
        instance: 'ChargingProfiles',
        maxLimit: s.settings.int('MaxChargingProfilesInstalled'),
      }),
      fromSetting('ExternalControlSignalsEnabled', 'ExternalControlSignalsEnabled'),
      fromSetting('LimitChangeSignificance', 'LimitChangeSignificance', { dataType: 'decimal', minLimit: 0, maxLimit: 100 }),
      fromSetting('NotifyChargingLimitWithSchedules', 'NotifyChargingLimitWithSchedules'),
      fromSetting('PeriodsPerSchedule', 'ChargingScheduleMaxPeriods'),
      fromSetting('Phases3to1', 'ConnectorSwitch3to1PhaseSupported'),
      fromSetting('ProfileStackLevel', 'ChargeProfileMaxStackLevel'),
      live('RateUnit', 'MemberList', rateUnits, { valuesList: ['A', 'W'] }),
    ],
  };
}

function reservationCtrlr(): ComponentDef {
  return {
    name: 'ReservationCtrlr',
    variables: [
      constant('Available', 'boolean', 'true'),
      fromSetting('Enabled', 'ReservationEnabled'),
      fromSetting('NonEvseSpecific', 'ReserveConnectorZeroSupported'),
    ],
  };
}

/** Controller components, alphabetically; variables within each alphabetically. */
export function controllerComponents(s: CatalogSources): ComponentDef[] {
  return [
    alignedDataCtrlr(),
    authCacheCtrlr(),
    authCtrlr(),
    clockCtrlr(s),
    deviceDataCtrlr(),
    localAuthListCtrlr(s),
    ocppCommCtrlr(s),
    reservationCtrlr(),
    sampledDataCtrlr(),
    securityCtrlr(s),
    smartChargingCtrlr(s),
    txCtrlr(),
  ];
}
