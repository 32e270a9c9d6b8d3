/**
 * Realistic valid OCPP payloads for the schema tests, typed by the generated types so a schema
 * change that breaks them also breaks the build.
 */

import type * as V16 from '../../../src/ocpp/schemas/generated/v16/types.js';
import type * as V201 from '../../../src/ocpp/schemas/generated/v201/types.js';

export const T0 = '2024-05-01T10:00:00Z';
export const T1 = '2024-05-01T10:15:00.123Z';

export interface Sample {
  action: string;
  kind: 'request' | 'response';
  payload: object;
}

const bootV16: V16.BootNotificationRequest = {
  chargePointVendor: 'evsed',
  chargePointModel: 'AC22-2',
  chargePointSerialNumber: 'SN-000123',
  chargeBoxSerialNumber: 'BOX-000123',
  firmwareVersion: '0.1.0',
  meterType: 'SDM630',
  meterSerialNumber: '21000042',
};

const meterValuesV16: V16.MeterValuesRequest = {
  connectorId: 1,
  transactionId: 42,
  meterValue: [
    {
      timestamp: T1,
      sampledValue: [
        { value: '1234.5', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'kWh', location: 'Outlet' },
        { value: '16.1', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
        { value: '31.5', measurand: 'Temperature', unit: 'Celcius', location: 'Body' },
        { value: '4C7A…', format: 'SignedData', measurand: 'Energy.Active.Import.Register' },
      ],
    },
  ],
};

export const VALID_V16: readonly Sample[] = [
  { action: 'BootNotification', kind: 'request', payload: bootV16 },
  {
    action: 'BootNotification',
    kind: 'response',
    payload: { status: 'Accepted', currentTime: T0, interval: 300 } satisfies V16.BootNotificationResponse,
  },
  {
    action: 'StatusNotification',
    kind: 'request',
    payload: {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Preparing',
      timestamp: T0,
      info: 'cable plugged',
      vendorErrorCode: '',
    } satisfies V16.StatusNotificationRequest,
  },
  { action: 'StatusNotification', kind: 'response', payload: {} satisfies V16.StatusNotificationResponse },
  {
    action: 'StartTransaction',
    kind: 'request',
    payload: { connectorId: 1, idTag: '04A2B3C4D5E6F7', meterStart: 1234500, timestamp: T0 } satisfies V16.StartTransactionRequest,
  },
  {
    action: 'StartTransaction',
    kind: 'response',
    payload: {
      idTagInfo: { status: 'Accepted', expiryDate: '2024-12-31T23:59:59Z', parentIdTag: 'FLEET-7' },
      transactionId: 42,
    } satisfies V16.StartTransactionResponse,
  },
  { action: 'MeterValues', kind: 'request', payload: meterValuesV16 },
  { action: 'MeterValues', kind: 'response', payload: {} },
  { action: 'Heartbeat', kind: 'request', payload: {} },
  { action: 'Heartbeat', kind: 'response', payload: { currentTime: T1 } },
  {
    action: 'SetChargingProfile',
    kind: 'request',
    payload: {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 7,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Recurring',
        recurrencyKind: 'Daily',
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [
            { startPeriod: 0, limit: 32.3 },
            { startPeriod: 3600, limit: 16.1, numberPhases: 1 },
          ],
        },
      },
    } satisfies V16.SetChargingProfileRequest,
  },
  {
    action: 'DataTransfer',
    kind: 'request',
    payload: { vendorId: 'com.example', messageId: 'ping', data: '{"a":1}' } satisfies V16.DataTransferRequest,
  },
];

export const VALID_V201: readonly Sample[] = [
  {
    action: 'BootNotification',
    kind: 'request',
    payload: {
      chargingStation: {
        model: 'AC22-2',
        vendorName: 'evsed',
        serialNumber: 'SN-000123',
        firmwareVersion: '0.1.0',
        modem: { iccid: '8931440400012345678', imsi: '262011234567890' },
      },
      reason: 'PowerUp',
    } satisfies V201.BootNotificationRequest,
  },
  {
    action: 'BootNotification',
    kind: 'response',
    payload: { currentTime: T0, interval: 300, status: 'Accepted' } satisfies V201.BootNotificationResponse,
  },
  {
    action: 'StatusNotification',
    kind: 'request',
    payload: { timestamp: T0, connectorStatus: 'Occupied', evseId: 1, connectorId: 1 } satisfies V201.StatusNotificationRequest,
  },
  {
    action: 'TransactionEvent',
    kind: 'request',
    payload: {
      eventType: 'Started',
      timestamp: T0,
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: 'b4c1e0f2-7d1a-4a5e-9a41-0f5d7c3a9e11', chargingState: 'EVConnected' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: '04A2B3C4D5E6F7', type: 'ISO14443' },
      meterValue: [
        {
          timestamp: T0,
          sampledValue: [
            {
              value: 1234500,
              context: 'Transaction.Begin',
              measurand: 'Energy.Active.Import.Register',
              unitOfMeasure: { unit: 'Wh', multiplier: 0 },
            },
          ],
        },
      ],
    } satisfies V201.TransactionEventRequest,
  },
  {
    action: 'TransactionEvent',
    kind: 'response',
    payload: { idTokenInfo: { status: 'Accepted' }, totalCost: 0 } satisfies V201.TransactionEventResponse,
  },
  {
    action: 'SetVariables',
    kind: 'request',
    payload: {
      setVariableData: [
        { attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { attributeType: 'Actual', attributeValue: 'true', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Enabled' } },
      ],
    } satisfies V201.SetVariablesRequest,
  },
  {
    action: 'SetVariables',
    kind: 'response',
    payload: {
      setVariableResult: [
        { attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        {
          attributeStatus: 'Rejected',
          attributeStatusInfo: { reasonCode: 'ReadOnly' },
          component: { name: 'EVSE', evse: { id: 1 } },
          variable: { name: 'Enabled' },
        },
      ],
    } satisfies V201.SetVariablesResponse,
  },
  {
    action: 'NotifyReport',
    kind: 'request',
    payload: {
      requestId: 1,
      generatedAt: T0,
      seqNo: 0,
      tbc: false,
      reportData: [
        {
          component: { name: 'EVSE', evse: { id: 1 } },
          variable: { name: 'AvailabilityState' },
          variableAttribute: [{ type: 'Actual', value: 'Available', mutability: 'ReadOnly', persistent: false, constant: false }],
          variableCharacteristics: { dataType: 'OptionList', supportsMonitoring: false, valuesList: 'Available,Occupied,Unavailable' },
        },
      ],
    } satisfies V201.NotifyReportRequest,
  },
  { action: 'NotifyReport', kind: 'response', payload: {} satisfies V201.NotifyReportResponse },
  { action: 'Heartbeat', kind: 'request', payload: {} },
  { action: 'DataTransfer', kind: 'response', payload: { status: 'Accepted', data: { any: ['json', 1] } } },
];

/** Compile-time checks: the action maps fit an index-signature constraint and carry the right types. */
type ActionMapLike = { [action: string]: { request: unknown; response: unknown } };
type Fits<T extends ActionMapLike> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type ActionMapChecks = [
  Fits<V16.V16CsToCsms>,
  Fits<V16.V16CsmsToCs>,
  Fits<V201.V201CsToCsms>,
  Fits<V201.V201CsmsToCs>,
  Same<V16.V16CsToCsms['StopTransaction']['request'], V16.StopTransactionRequest> extends true ? true : never,
  Same<V201.V201CsmsToCs['SetVariables']['response'], V201.SetVariablesResponse> extends true ? true : never,
  Same<V16.V16Action, keyof V16.V16CsToCsms | keyof V16.V16CsmsToCs> extends true ? true : never,
];
export const ACTION_MAP_CHECKS: ActionMapChecks = [
  {} as V16.V16CsToCsms,
  {} as V16.V16CsmsToCs,
  {} as V201.V201CsToCsms,
  {} as V201.V201CsmsToCs,
  true,
  true,
  true,
];
