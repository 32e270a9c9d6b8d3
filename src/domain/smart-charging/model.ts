/**
 * Smart charging vocabulary, version-neutral: a charging profile in evsed's words, and the unit
 * rules every calculation shares.
 *
 * Owns: the profile shape the validator, the store, the composite calculator and the runtime
 * agree on, and the conversion between a power limit (W, total) and a current limit (A, per
 * phase). The adapters map OCPP names onto these: ChargePointMaxProfile / ChargingStationMaxProfile
 * → `stationMax`, TxDefaultProfile → `txDefault`, TxProfile → `tx`,
 * ChargingStationExternalConstraints → `external`; Absolute/Recurring/Relative → `absolute` /
 * `recurring` / `relative`; Daily/Weekly → `daily` / `weekly`; 2.0.1 chargingLimitSource
 * CSO → `csms`, EMS → `ems`, SO → `gridOperator`, Other → `local`.
 * Must not: speak OCPP (no OCPP enum strings), touch storage or timers.
 */

export type ProfilePurpose = 'stationMax' | 'txDefault' | 'tx' | 'external';
export type ProfileKind = 'absolute' | 'recurring' | 'relative';
export type Recurrency = 'daily' | 'weekly';
/** `A` = amperes per phase; `W` = total watts. */
export type RateUnit = 'A' | 'W';
/** Who set the limit (2.0.1 chargingLimitSource). */
export type LimitSource = 'csms' | 'ems' | 'gridOperator' | 'local';

export const PROFILE_PURPOSES: readonly ProfilePurpose[] = ['stationMax', 'txDefault', 'tx', 'external'];
export const RATE_UNITS: readonly RateUnit[] = ['A', 'W'];

export interface SchedulePeriod {
  /** Seconds from the start of the schedule (occurrence); the first period starts at 0. */
  startPeriodS: number;
  /** In the schedule's rate unit: A per phase, or W total. */
  limit: number;
  /** Phases the EV may use in this period; absent ⇒ 3 (16-E 3.69, K01.FR.49). */
  numberPhases?: number;
  /** The single phase to use (1–3) when numberPhases is 1; evsed cannot switch phases. */
  phaseToUse?: number;
}

export interface Schedule {
  /** 2.0.1 chargingSchedule.id (absent in 1.6). */
  id?: number;
  /** Required for absolute and recurring profiles, absent for relative ones (K01.FR.40/41). */
  startScheduleMs?: number;
  /** Absent = the last period holds for ever (or until the recurrence restarts). */
  durationS?: number;
  rateUnit: RateUnit;
  /** Informative (K01.FR.21): charging below this rate is inefficient. */
  minChargingRate?: number;
  /** Ordered by startPeriodS, strictly increasing, first at 0. */
  periods: SchedulePeriod[];
}

export interface ChargingProfile {
  /** Unique among installed profiles; a new profile with a known id replaces the old one. */
  id: number;
  stackLevel: number;
  purpose: ProfilePurpose;
  kind: ProfileKind;
  /** Only for recurring profiles; the recurrence is counted from schedules[0].startScheduleMs. */
  recurrency?: Recurrency;
  /** Valid from this instant (inclusive), ms since the epoch; absent = already valid. */
  validFromMs?: number;
  /** Valid until this instant (exclusive); absent = until replaced or cleared. */
  validToMs?: number;
  /** 0 = the whole station, else the flat connector id (1.6 connectorId). */
  connector: number;
  /** tx profiles: evsed's id of the transaction the profile is bound to (TransactionRecord.id). */
  transactionId?: string;
  /**
   * One or more schedules; evsed has no ISO 15118 schedule negotiation, so only the first one is
   * executed (2.0.1 allows up to three for an EV to choose from, K01.FR.34).
   */
  schedules: Schedule[];
  source: LimitSource;
}

/** Supply of one connector, for unit conversion. */
export interface Supply {
  /** Phases wired to the connector (1 or 3). */
  phases: number;
  /** Nominal phase-to-neutral voltage of the area (230 V or 110 V), not a measured value. */
  nominalVoltageV: number;
}

export const DEFAULT_NUMBER_PHASES = 3;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/**
 * The phases a period's limit is meant for on this supply: numberPhases, absent ⇒ 3 (16-E 3.69,
 * K01.FR.49), never more than the connector is wired for — a profile for more phases than can be
 * used keeps its limit as given for the phases that are used (16-E 3.34, K01.FR.45).
 */
export function effectivePhases(numberPhases: number | undefined, supply: Supply): number {
  const asked = numberPhases ?? DEFAULT_NUMBER_PHASES;
  return Math.max(1, Math.min(asked, supply.phases));
}

/**
 * A period limit as amperes per phase. A: as is (K01.FR.51). W: I = P / (U_nominal × phases)
 * with the phases of effectivePhases() (K01.FR.50, 16-E 3.69).
 */
export function limitToAmps(limit: number, unit: RateUnit, phases: number, supply: Supply): number {
  return unit === 'A' ? limit : limit / (supply.nominalVoltageV * phases);
}

/** Amperes per phase as a limit in `unit` for `phases` phases: W = I × U_nominal × phases. */
export function ampsToUnit(amps: number, unit: RateUnit, phases: number, supply: Supply): number {
  return unit === 'A' ? amps : amps * supply.nominalVoltageV * phases;
}

/**
 * Limits leave evsed with at most one decimal (1.6 §7.14 "at most one digit fraction"), rounded
 * down so a reported or applied limit never exceeds the calculated one.
 */
export function floorTenth(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.floor(value * 10 + 1e-6) / 10;
}
