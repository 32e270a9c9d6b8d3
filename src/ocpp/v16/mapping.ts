/**
 * OCPP 1.6 words for evsed's version-neutral vocabulary: stop reasons, authorization statuses,
 * meter sample contexts, and meter samples as 1.6 MeterValue objects.
 *
 * Owns: lookup tables only. Must not: decide anything.
 */
import type { AuthInfo, AuthStatus } from '../../domain/auth-types.js';
import { sampledEnergyWh } from '../../domain/metering.js';
import type { MeterContext, MeterSample } from '../../domain/metering-types.js';
import type { StopReason } from '../../domain/transactions.js';
import type { IdTagInfo, MeterValue, SampledValue } from '../schemas/generated/v16/types.js';
import { isoTime } from '../adapter.js';

export type V16Reason = NonNullable<import('../schemas/generated/v16/types.js').StopTransactionRequest['reason']>;

export const V16_STOP_REASON: Record<StopReason, V16Reason> = {
  local: 'Local',
  remote: 'Remote',
  evDisconnected: 'EVDisconnected',
  powerLoss: 'PowerLoss',
  reboot: 'Reboot',
  hardReset: 'HardReset',
  softReset: 'SoftReset',
  deAuthorized: 'DeAuthorized',
  emergencyStop: 'EmergencyStop',
  unlockCommand: 'UnlockCommand',
  timeout: 'Other',
  stoppedByEv: 'Other',
  other: 'Other',
};

type V16Context = NonNullable<SampledValue['context']>;

export const V16_CONTEXT: Record<MeterContext, V16Context> = {
  periodic: 'Sample.Periodic',
  clock: 'Sample.Clock',
  transactionBegin: 'Transaction.Begin',
  transactionEnd: 'Transaction.End',
  trigger: 'Trigger',
  interruptionBegin: 'Interruption.Begin',
  interruptionEnd: 'Interruption.End',
  other: 'Other',
};

/** 1.6 AuthorizationStatus has no NoCredit etc.: every other refusal is Invalid there. */
export function toV16Status(status: AuthStatus): IdTagInfo['status'] {
  return status === 'Accepted' || status === 'Blocked' || status === 'Expired' || status === 'ConcurrentTx'
    ? status
    : 'Invalid';
}

export function fromIdTagInfo(info: IdTagInfo): AuthInfo {
  const expiryMs = info.expiryDate ? Date.parse(info.expiryDate) : NaN;
  return {
    status: info.status,
    ...(Number.isFinite(expiryMs) ? { expiryMs } : {}),
    ...(info.parentIdTag ? { group: info.parentIdTag } : {}),
  };
}

function formatNumber(value: number): string {
  // Plain decimal, no exponent, no trailing noise.
  return String(Math.round(value * 1000) / 1000);
}

/** A register value as 1.6 reports it in meterStart / meterStop: whole Wh, rounded from the value
 * a sample of the same reading carries, so the Transaction.Begin / End samples agree with them. */
export function v16WholeWh(wh: number): number {
  return Math.round(sampledEnergyWh(wh));
}

/** A meter sample as a 1.6 MeterValue (values as strings, units and phases named per 1.6 §7.31). */
export function toV16MeterValue(sample: MeterSample): MeterValue {
  const context = V16_CONTEXT[sample.context];
  return {
    timestamp: isoTime(sample.timestampMs),
    sampledValue: sample.values.map((v) => ({
      // Energy in whole Wh, like meterStart / meterStop (v16WholeWh), so the figures agree exactly.
      value: v.unit === 'Wh' ? String(Math.round(v.value)) : formatNumber(v.value),
      context,
      format: 'Raw',
      measurand: v.measurand,
      ...(v.phase ? { phase: v.phase } : {}),
      location: v.location ?? 'Outlet',
      unit: v.unit,
    })),
  };
}
