/**
 * The OCPP 2.0.1 device model of evsed, declared: which components and variables the station
 * has, their attributes, mutability and characteristics, and where each value lives.
 *
 * Owns: `buildCatalog`, which assembles the controller components (controllers.ts) and the
 * charging infrastructure generated from the runtime's EVSEs and connectors (infrastructure.ts),
 * and the mapping table below. The vocabulary is in model.ts. Must not: read or write values
 * (DeviceModel does), or speak to the CSMS.
 *
 * Where values live (one rule, so a value has exactly one home):
 * - `setting`: a station setting of src/domain/settings-catalog.ts — anything a domain service or
 *   the transport acts on. 1.6 reads and writes the same entry ("two views of the same settings").
 * - `stored`: the device model's own table (src/store/device-model.ts) — values only the device
 *   model has (nothing in evsed acts on them; they are reported and shown), and attributes other
 *   than Actual.
 * - `live`: read from the runtime, configuration or clock at the moment it is asked; read-only.
 *
 * Mapping (2.0.1 component.variable[instance] ↔ setting key / source):
 *
 * | 2.0.1 | value |
 * |---|---|
 * | OCPPCommCtrlr.HeartbeatInterval | HeartbeatInterval (minLimit 1 as 2.0.1 says) |
 * | OCPPCommCtrlr.MessageTimeout[Default] | MessageTimeout (ReadOnly in 2.0.1: set via NetworkConnectionProfile) |
 * | OCPPCommCtrlr.WebSocketPingInterval | WebSocketPingInterval |
 * | OCPPCommCtrlr.RetryBackOffWaitMinimum / RandomRange / RepeatTimes | the same keys |
 * | OCPPCommCtrlr.MessageAttempts[TransactionEvent] | TransactionMessageAttempts |
 * | OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent] | TransactionMessageRetryInterval |
 * | OCPPCommCtrlr.ResetRetries | ResetRetries |
 * | OCPPCommCtrlr.UnlockOnEVSideDisconnect | UnlockConnectorOnEVSideDisconnect (ReadOnly "false" when no connector has a lock) |
 * | OCPPCommCtrlr.OfflineThreshold / QueueAllMessages / NetworkConfigurationPriority / NetworkProfileConnectionAttempts | same-named v201Only keys |
 * | OCPPCommCtrlr.ActiveNetworkProfile | live: 0 (the configuration file's profile) |
 * | OCPPCommCtrlr.FileTransferProtocols | live: HTTP,HTTPS |
 * | DeviceDataCtrlr.ItemsPerMessage / BytesPerMessage [GetReport, GetVariables, SetVariables], ConfigurationValueSize, ReportingValueSize | live: DM_LIMITS |
 * | ClockCtrlr.DateTime | live: station clock |
 * | ClockCtrlr.TimeSource | TimeSource |
 * | ClockCtrlr.TimeZone | stored (IANA zone name; display only) |
 * | SecurityCtrlr.Identity / SecurityProfile | live: config identity / csms.securityProfile |
 * | SecurityCtrlr.OrganizationName | CpoName |
 * | SecurityCtrlr.BasicAuthPassword (WriteOnly) | BasicAuthPassword |
 * | SecurityCtrlr.CertificateEntries | live: 0 (no certificate store yet) |
 * | AuthCtrlr.Enabled | AuthEnabled |
 * | AuthCtrlr.AuthorizeRemoteStart | AuthorizeRemoteTxRequests |
 * | AuthCtrlr.LocalAuthorizeOffline (alias LocalAuthorizationOffline) | LocalAuthorizeOffline |
 * | AuthCtrlr.LocalPreAuthorize (alias LocalPreAuthorization) | LocalPreAuthorize |
 * | AuthCtrlr.OfflineTxForUnknownIdEnabled | AllowOfflineTxForUnknownId |
 * | AuthCtrlr.MasterPassGroupId / DisableRemoteAuthorization | same-named v201Only keys |
 * | AuthCacheCtrlr.Available | live: true |
 * | AuthCacheCtrlr.Enabled | AuthorizationCacheEnabled |
 * | AuthCacheCtrlr.LifeTime / DisablePostAuthorize | AuthCacheLifeTime / AuthCacheDisablePostAuthorize |
 * | LocalAuthListCtrlr.Available | live: true |
 * | LocalAuthListCtrlr.Enabled | LocalAuthListEnabled |
 * | LocalAuthListCtrlr.Entries (maxLimit LocalAuthListMaxLength) | live: entries in the list |
 * | LocalAuthListCtrlr.ItemsPerMessage | SendLocalListMaxLength (ReadOnly) |
 * | LocalAuthListCtrlr.BytesPerMessage | live: the transport's largest frame |
 * | LocalAuthListCtrlr.DisablePostAuthorize | LocalAuthListDisablePostAuthorize |
 * | TxCtrlr.EVConnectionTimeOut | ConnectionTimeOut |
 * | TxCtrlr.StopTxOnEVSideDisconnect | StopTransactionOnEVSideDisconnect |
 * | TxCtrlr.StopTxOnInvalidId | StopTransactionOnInvalidId |
 * | TxCtrlr.MaxEnergyOnInvalidId | MaxEnergyOnInvalidId |
 * | TxCtrlr.TxStartPoint / TxStopPoint / TxBeforeAcceptedEnabled | same-named v201Only keys |
 * | SampledDataCtrlr.Available | live: true |
 * | SampledDataCtrlr.Enabled | SampledDataEnabled |
 * | SampledDataCtrlr.TxStartedMeasurands | TxStartedMeasurands |
 * | SampledDataCtrlr.TxUpdatedMeasurands / TxUpdatedInterval | MeterValuesSampledData / MeterValueSampleInterval |
 * | SampledDataCtrlr.TxEndedMeasurands / TxEndedInterval | StopTxnSampledData / SampledDataTxEndedInterval |
 * | AlignedDataCtrlr.Available | live: true |
 * | AlignedDataCtrlr.Enabled | AlignedDataEnabled |
 * | AlignedDataCtrlr.Measurands / Interval | MeterValuesAlignedData / ClockAlignedDataInterval |
 * | AlignedDataCtrlr.TxEndedMeasurands / TxEndedInterval | StopTxnAlignedData / AlignedDataTxEndedInterval |
 * | ReservationCtrlr.Available | live: true |
 * | ReservationCtrlr.Enabled | ReservationEnabled |
 * | ReservationCtrlr.NonEvseSpecific | ReserveConnectorZeroSupported (ReadOnly) |
 * | ChargingStation.Available / AvailabilityState / SupplyPhases / Problem / VendorName / Model / SerialNumber / FirmwareVersion | live: runtime, config.station |
 * | EVSE[e].Available / AvailabilityState / Power (maxLimit phases × V × A) / SupplyPhases / Problem / AllowReset | live: runtime |
 * | Connector[e,c].Available / AvailabilityState / ConnectorType / SupplyPhases / Problem | live: runtime, connector configuration |
 */
import { controllerComponents } from './controllers.js';
import { infrastructureComponents } from './infrastructure.js';
import type { CatalogSources, ComponentDef } from './model.js';

/** The whole device model of this station: controllers first, then ChargingStation, EVSEs, connectors. */
export function buildCatalog(sources: CatalogSources): ComponentDef[] {
  return [...controllerComponents(sources), ...infrastructureComponents(sources)];
}
