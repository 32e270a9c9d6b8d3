/**
 * OCPP 2.0.1 words for evsed's version-neutral vocabulary: stop reasons (stoppedReason and the
 * triggerReason of the Ended event), start causes, authorization statuses, id tokens and meter
 * samples as 2.0.1 MeterValueType.
 *
 * Owns: lookup tables and small conversions only.
 */
import type { AuthInfo } from '../../domain/auth-types.js';
import type { MeterContext, MeterSample } from '../../domain/metering-types.js';
import type { StopReason, TxPoint } from '../../domain/transactions.js';
import type {
  IdTokenInfoType,
  IdTokenType,
  MeterValueType,
  ReasonEnumType,
  ReadingContextEnumType,
  TriggerReasonEnumType,
} from '../schemas/generated/v201/types.js';
import { isoTime } from '../adapter.js';

export const V201_STOP: Record<StopReason, { stoppedReason: ReasonEnumType; trigger: TriggerReasonEnumType }> = {
  local: { stoppedReason: 'Local', trigger: 'StopAuthorized' },
  remote: { stoppedReason: 'Remote', trigger: 'RemoteStop' },
  evDisconnected: { stoppedReason: 'EVDisconnected', trigger: 'EVCommunicationLost' },
  powerLoss: { stoppedReason: 'PowerLoss', trigger: 'AbnormalCondition' },
  reboot: { stoppedReason: 'Reboot', trigger: 'ResetCommand' },
  hardReset: { stoppedReason: 'ImmediateReset', trigger: 'ResetCommand' },
  softReset: { stoppedReason: 'ImmediateReset', trigger: 'ResetCommand' },
  deAuthorized: { stoppedReason: 'DeAuthorized', trigger: 'Deauthorized' },
  emergencyStop: { stoppedReason: 'EmergencyStop', trigger: 'AbnormalCondition' },
  unlockCommand: { stoppedReason: 'Other', trigger: 'UnlockCommand' },
  timeout: { stoppedReason: 'Timeout', trigger: 'EVConnectTimeout' },
  stoppedByEv: { stoppedReason: 'StoppedByEV', trigger: 'ChargingStateChanged' },
  other: { stoppedReason: 'Other', trigger: 'AbnormalCondition' },
};

export const V201_START_TRIGGER: Record<TxPoint, TriggerReasonEnumType> = {
  evConnected: 'CablePluggedIn',
  authorized: 'Authorized',
  powerPathClosed: 'Authorized',
  energyTransfer: 'ChargingStateChanged',
};

export const V201_CONTEXT: Record<MeterContext, ReadingContextEnumType> = {
  periodic: 'Sample.Periodic',
  clock: 'Sample.Clock',
  transactionBegin: 'Transaction.Begin',
  transactionEnd: 'Transaction.End',
  trigger: 'Trigger',
  interruptionBegin: 'Interruption.Begin',
  interruptionEnd: 'Interruption.End',
  other: 'Other',
};

/** Token types evsed sees: RFID cards are ISO 14443 unless a request says otherwise. */
export const DEFAULT_TOKEN_TYPE: IdTokenType['type'] = 'ISO14443';

export function idToken(token: string, type?: string | null): IdTokenType {
  // Sessions started without identification (AuthCtrlr.Enabled = false, C01).
  if (token === '') return { idToken: '', type: 'NoAuthorization' };
  return { idToken: token, type: (type as IdTokenType['type'] | null) ?? DEFAULT_TOKEN_TYPE };
}

export function fromIdTokenInfo(info: IdTokenInfoType): AuthInfo {
  const expiryMs = info.cacheExpiryDateTime ? Date.parse(info.cacheExpiryDateTime) : NaN;
  return {
    status: info.status,
    ...(Number.isFinite(expiryMs) ? { expiryMs } : {}),
    ...(info.groupIdToken ? { group: info.groupIdToken.idToken } : {}),
  };
}

export function toIdTokenInfo(info: AuthInfo): IdTokenInfoType {
  return {
    status: info.status,
    ...(info.expiryMs !== undefined ? { cacheExpiryDateTime: isoTime(info.expiryMs) } : {}),
    ...(info.group ? { groupIdToken: { idToken: info.group, type: 'Central' } } : {}),
  };
}

/** A meter sample as a 2.0.1 MeterValueType (values are numbers; units in unitOfMeasure). */
export function toV201MeterValue(sample: MeterSample): MeterValueType {
  const context = V201_CONTEXT[sample.context];
  return {
    timestamp: isoTime(sample.timestampMs),
    sampledValue: sample.values.map((v) => ({
      value: v.value,
      context,
      measurand: v.measurand,
      ...(v.phase ? { phase: v.phase } : {}),
      location: v.location ?? 'Outlet',
      unitOfMeasure: { unit: v.unit },
    })),
  };
}
