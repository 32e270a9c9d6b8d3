/**
 * Version-neutral metering: turning a meter reading into a sample of the configured measurands,
 * thinning the meter values of a long transaction (R-O8), and the energy of a transaction.
 * The schedules (clock-aligned and periodic ticks) live in metering-clock.ts and
 * metering-tickers.ts and are re-exported here, so callers import metering from this module.
 *
 * Owns: which SampledValues a measurand produces (phases, units, location), their rounding and
 * what happens to impossible values. Must not: read hardware (the caller passes the reading),
 * read the clock (the caller passes the timestamp), or know OCPP message shapes (src/ocpp/ maps
 * samples to MeterValue / SampledValue of each version).
 */
import type { MeterReading } from '../../hal/types.js';
import type { MeterContext, MeterPhase, MeterSample, MeterUnit, SampledValue } from './metering-types.js';
import { SUPPORTED_MEASURANDS } from './settings-catalog.js';
import type { Measurand } from './settings-catalog.js';

export { alignedSlotStartMs, DAY_MS, MAX_TIMER_DELAY_MS, nextAlignedMs, realTimers } from './metering-clock.js';
export type { TimerFns } from './metering-clock.js';
export { AlignedTicker, EARLY_TOLERANCE_MS, MAX_BACKWARD_HOLD_MS, PeriodicTicker } from './metering-tickers.js';
export type { AlignedTickerOptions, PeriodicTickerOptions } from './metering-tickers.js';
export { MeteringError, METERING_ERRORS } from './metering-errors.js';
export type { MeteringErrorCode } from './metering-errors.js';

/** What sampling needs to know about the connector besides its meter. */
export interface MeteredConnector {
  /** Phases wired to the connector (Power.Offered counts them). */
  phases: 1 | 3;
  /** Nominal phase-to-neutral voltage, V. */
  nominalVoltageV: number;
  /** Current offered through the PWM duty cycle, A; null when PWM is off. */
  offerA: number | null;
}

/**
 * Decimal places each measurand is reported with: energy 0.1 Wh, power 1 W, current 0.01 A,
 * voltage 0.1 V, SoC 1 %. Rounding is half-up on the binary value (Math.round), so a value that
 * is a hair below a half in binary (1.005 A) rounds down.
 */
export const MEASURAND_DECIMALS: Readonly<Record<Measurand, number>> = {
  'Energy.Active.Import.Register': 1,
  'Power.Active.Import': 0,
  'Current.Import': 2,
  Voltage: 1,
  SoC: 0,
  'Current.Offered': 2,
  'Power.Offered': 0,
};

const PHASES: readonly MeterPhase[] = ['L1', 'L2', 'L3'];
const PHASES_TO_NEUTRAL: readonly MeterPhase[] = ['L1-N', 'L2-N', 'L3-N'];

export function isMeasurand(name: string): name is Measurand {
  return (SUPPORTED_MEASURANDS as readonly string[]).includes(name);
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  // `+ 0` turns -0 into 0.
  return Math.round(value * factor) / factor + 0;
}

/**
 * An energy register value as samples carry it (rounded to MEASURAND_DECIMALS). A figure reported
 * beside samples (1.6 meterStart / meterStop in whole Wh) is rounded from this, not from the raw
 * register: rounding twice (1466.46 → 1466.5 → 1467) and once (→ 1466) can differ by 1 Wh.
 */
export function sampledEnergyWh(wh: number): number {
  return round(wh, MEASURAND_DECIMALS['Energy.Active.Import.Register']);
}

/**
 * What a raw number becomes before rounding; null = left out of the sample.
 * - Non-finite values (a meter fault; the HAL raises `meterFailure`) are always left out.
 * - `register`: the energy register cannot be negative; a negative one is left out rather than
 *   reported as 0, which a CSMS would read as a meter reset.
 * - `import`: power/current import cannot be negative; a negative reading (export, sensor offset)
 *   is reported as 0 import.
 * - `physical`: a negative voltage is not a measurement; left out.
 * - `percent`: clamped to 0–100 (EVs report slightly out-of-range SoC).
 */
type Sanity = 'register' | 'import' | 'physical' | 'percent';

function sane(value: number, kind: Sanity): number | null {
  if (!Number.isFinite(value)) return null;
  switch (kind) {
    case 'register':
    case 'physical':
      return value < 0 ? null : value;
    case 'import':
      return Math.max(0, value);
    case 'percent':
      return Math.min(100, Math.max(0, value));
  }
}

function offeredCurrentA(offerA: number | null): number {
  return offerA !== null && Number.isFinite(offerA) && offerA > 0 ? offerA : 0;
}

/**
 * One sample of `reading` for `measurands`, in their order; each measurand appears once (repeats
 * in the list are ignored) and names evsed does not support are skipped.
 *
 * - `Energy.Active.Import.Register` → Wh, no phase.
 * - `Power.Active.Import` → W, total, no phase.
 * - `Current.Import` → A, one value per phase the meter reports (`reading.currentA`: L1, L2, L3).
 * - `Voltage` → V, one value per phase (`reading.voltageV`: L1-N, L2-N, L3-N).
 * - `SoC` → Percent, location EV; only when the reading has it.
 * - `Current.Offered` → A, the PWM offer (0 when PWM is off), no phase.
 * - `Power.Offered` → W, offer × nominal voltage × wired phases (0 when PWM is off).
 *
 * Rounding per MEASURAND_DECIMALS; impossible values per `sane` above (never NaN, never a
 * negative energy). `timestampMs` is the station time of the sample (the caller's clock), not
 * the reading's own time.
 */
export function sampleMeter(
  reading: MeterReading,
  measurands: readonly string[],
  connector: MeteredConnector,
  context: MeterContext,
  timestampMs: number,
): MeterSample {
  const values: SampledValue[] = [];
  const seen = new Set<Measurand>();
  const push = (measurand: Measurand, raw: number, kind: Sanity, unit: MeterUnit, phase?: MeterPhase): void => {
    const value = sane(raw, kind);
    if (value === null) return;
    const sampled: SampledValue = { measurand, value: round(value, MEASURAND_DECIMALS[measurand]), unit };
    if (phase !== undefined) sampled.phase = phase;
    values.push(sampled);
  };

  for (const name of measurands) {
    if (!isMeasurand(name) || seen.has(name)) continue;
    seen.add(name);
    switch (name) {
      case 'Energy.Active.Import.Register':
        push(name, reading.energyWh, 'register', 'Wh');
        break;
      case 'Power.Active.Import':
        push(name, reading.powerW, 'import', 'W');
        break;
      case 'Current.Import':
        reading.currentA.slice(0, 3).forEach((a, i) => push(name, a, 'import', 'A', PHASES[i]));
        break;
      case 'Voltage':
        reading.voltageV.slice(0, 3).forEach((v, i) => push(name, v, 'physical', 'V', PHASES_TO_NEUTRAL[i]));
        break;
      case 'SoC': {
        if (reading.socPercent === undefined) break;
        const value = sane(reading.socPercent, 'percent');
        if (value !== null) values.push({ measurand: name, value: round(value, 0), unit: 'Percent', location: 'EV' });
        break;
      }
      case 'Current.Offered':
        push(name, offeredCurrentA(connector.offerA), 'import', 'A');
        break;
      case 'Power.Offered':
        push(name, offeredCurrentA(connector.offerA) * connector.nominalVoltageV * connector.phases, 'import', 'W');
        break;
    }
  }
  return { timestampMs, context, values };
}

/**
 * R-O8 / 1.6 errata 3.91 (StopTransactionMaxMeterValues): at most `max` values, dropping
 * intermediate ones and never the first (Transaction.Begin) or the last (Transaction.End).
 *
 * Each pass drops the 1st, 3rd, 5th … of the intermediate values (every other one, starting
 * with the oldest); passes repeat while more than `max` remain. Passes are whole, so the
 * survivors stay evenly spread over the transaction (a pass never thins only its start, which
 * errata 3.91 advises against) and the result may hold fewer than `max` values — never fewer
 * than 2 + ⌊(max − 1) / 2⌋ when thinning was needed. Order is kept; the input is not modified.
 * `max` below 2 (or NaN) counts as 2; fractions are floored.
 */
export function thinMeterValues<T>(values: readonly T[], max: number): T[] {
  const limit = max >= 2 ? Math.floor(max) : 2;
  let kept = values.slice();
  while (kept.length > limit) {
    const last = kept.length - 1;
    // Intermediates are indices 1 … last − 1; their 1st, 3rd, 5th … are the odd indices.
    kept = kept.filter((_, i) => i === 0 || i === last || i % 2 === 0);
  }
  return kept;
}

export interface EnergyDelta {
  /** Energy between the two readings, Wh (0.1 Wh resolution); never negative, never NaN. */
  deltaWh: number;
  /** The end register is below the start one: the meter was replaced or reset. */
  registerWentBack: boolean;
  /** A register is not a finite number (meter fault); deltaWh is 0. */
  invalidReading: boolean;
}

/** Energy imported between two readings of the same connector, guarded: a register that went
 * back or a non-finite register yields 0 Wh with the reason flagged, never a negative delta. */
export function energyDeltaWh(start: MeterReading, end: MeterReading): EnergyDelta {
  if (!Number.isFinite(start.energyWh) || !Number.isFinite(end.energyWh)) {
    return { deltaWh: 0, registerWentBack: false, invalidReading: true };
  }
  // Rounded first: a difference below the 0.1 Wh resolution is no difference.
  const deltaWh = round(end.energyWh - start.energyWh, 1);
  if (deltaWh < 0) return { deltaWh: 0, registerWentBack: true, invalidReading: false };
  return { deltaWh, registerWentBack: false, invalidReading: false };
}
