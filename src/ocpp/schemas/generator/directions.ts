/**
 * Direction of every OCPP action, per protocol version: who sends the CALL.
 *
 * Owns: the direction table, taken from the specifications: OCPP 1.6 edition 2 §4 "Operations
 * initiated by Charge Point" and §5 "Operations initiated by Central System", the OCPP 1.6 security
 * whitepaper edition 3 (use cases and §5 messages), OCPP 2.0.1 part 2 (use cases per functional block).
 * Must not: be derived from the schema files (they do not say who sends what); the generator
 * checks that this table and the schema files name exactly the same actions.
 */

export type SchemaVersion = 'v16' | 'v201';

export interface DirectionTable {
  /** Charging station → CSMS CALLs. */
  csToCsms: readonly string[];
  /** CSMS → charging station CALLs. */
  csmsToCs: readonly string[];
}

export const DIRECTIONS: Readonly<Record<SchemaVersion, DirectionTable>> = {
  v16: {
    csToCsms: [
      // OCPP 1.6 §4
      'Authorize',
      'BootNotification',
      'DataTransfer',
      'DiagnosticsStatusNotification',
      'FirmwareStatusNotification',
      'Heartbeat',
      'MeterValues',
      'StartTransaction',
      'StatusNotification',
      'StopTransaction',
      // security whitepaper
      'LogStatusNotification',
      'SecurityEventNotification',
      'SignCertificate',
      'SignedFirmwareStatusNotification',
    ],
    csmsToCs: [
      // OCPP 1.6 §5
      'CancelReservation',
      'ChangeAvailability',
      'ChangeConfiguration',
      'ClearCache',
      'ClearChargingProfile',
      'DataTransfer',
      'GetCompositeSchedule',
      'GetConfiguration',
      'GetDiagnostics',
      'GetLocalListVersion',
      'RemoteStartTransaction',
      'RemoteStopTransaction',
      'ReserveNow',
      'Reset',
      'SendLocalList',
      'SetChargingProfile',
      'TriggerMessage',
      'UnlockConnector',
      'UpdateFirmware',
      // security whitepaper
      'CertificateSigned',
      'DeleteCertificate',
      'ExtendedTriggerMessage',
      'GetInstalledCertificateIds',
      'GetLog',
      'InstallCertificate',
      'SignedUpdateFirmware',
    ],
  },
  v201: {
    csToCsms: [
      'Authorize',
      'BootNotification',
      'ClearedChargingLimit',
      'DataTransfer',
      'FirmwareStatusNotification',
      'Get15118EVCertificate',
      'GetCertificateStatus',
      'Heartbeat',
      'LogStatusNotification',
      'MeterValues',
      'NotifyChargingLimit',
      'NotifyCustomerInformation',
      'NotifyDisplayMessages',
      'NotifyEVChargingNeeds',
      'NotifyEVChargingSchedule',
      'NotifyEvent',
      'NotifyMonitoringReport',
      'NotifyReport',
      'PublishFirmwareStatusNotification',
      'ReportChargingProfiles',
      'ReservationStatusUpdate',
      'SecurityEventNotification',
      'SignCertificate',
      'StatusNotification',
      'TransactionEvent',
    ],
    csmsToCs: [
      'CancelReservation',
      'CertificateSigned',
      'ChangeAvailability',
      'ClearCache',
      'ClearChargingProfile',
      'ClearDisplayMessage',
      'ClearVariableMonitoring',
      'CostUpdated',
      'CustomerInformation',
      'DataTransfer',
      'DeleteCertificate',
      'GetBaseReport',
      'GetChargingProfiles',
      'GetCompositeSchedule',
      'GetDisplayMessages',
      'GetInstalledCertificateIds',
      'GetLocalListVersion',
      'GetLog',
      'GetMonitoringReport',
      'GetReport',
      'GetTransactionStatus',
      'GetVariables',
      'InstallCertificate',
      // PublishFirmware / UnpublishFirmware are addressed to a local controller (L03, L04)
      'PublishFirmware',
      'RequestStartTransaction',
      'RequestStopTransaction',
      'ReserveNow',
      'Reset',
      'SendLocalList',
      'SetChargingProfile',
      'SetDisplayMessage',
      'SetMonitoringBase',
      'SetMonitoringLevel',
      'SetNetworkProfile',
      'SetVariableMonitoring',
      'SetVariables',
      'TriggerMessage',
      'UnlockConnector',
      'UnpublishFirmware',
      'UpdateFirmware',
    ],
  },
};
