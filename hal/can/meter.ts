/**
 * Assembly of meter readings from the controller's four meter frames.
 *
 * Owns: the rule that one reading is MeterEnergy, MeterPower, MeterCurrent and MeterVoltage
 * with the same Seq, in that order; a frame that does not continue the reading in progress
 * drops it (and is reported as malformed), so a reading never mixes two measurements.
 *
 * Must not: emit events, read the clock or keep readings (the connector does).
 */
import type { MeterReading } from '../types.js';
import type { MessageName, SignalValues } from './messages.js';
import { SOC_UNKNOWN } from './messages.js';

interface Partial {
  seq: number;
  energyWh: number;
  socPercent?: number;
  powerW?: number;
  phases?: number;
  currentA?: number[];
}

/** What a frame completed: a reading (without timestamp), nothing yet, or why it is malformed. */
export type MeterFeed = { reading: Omit<MeterReading, 'timestampMs'> } | { pending: true } | { malformed: string };

/** The field of the reading in progress each frame continues. */
const CONTINUES = { MeterPower: 'energyWh', MeterCurrent: 'phases', MeterVoltage: 'currentA' } as const;

export class MeterAssembler {
  private partial: Partial | null = null;

  reset(): void {
    this.partial = null;
  }

  feed(name: MessageName, v: SignalValues): MeterFeed {
    const seq = v.Seq ?? -1;
    if (name === 'MeterEnergy') {
      this.partial = null;
      const soc = v.Soc ?? SOC_UNKNOWN;
      if (soc !== SOC_UNKNOWN && soc > 100) return { malformed: `state of charge ${soc} % is not valid` };
      this.partial = { seq, energyWh: v.Energy ?? 0 };
      if (soc !== SOC_UNKNOWN) this.partial.socPercent = soc;
      return { pending: true };
    }
    if (!(name in CONTINUES)) return { malformed: `${name} is not a meter frame` };
    const p = this.partial;
    if (!p || p.seq !== seq || p[CONTINUES[name as keyof typeof CONTINUES]] === undefined) {
      this.partial = null;
      return { malformed: `${name} seq ${seq} does not continue a reading` };
    }
    if (name === 'MeterPower') {
      if (v.Phases !== 1 && v.Phases !== 3) {
        this.partial = null;
        return { malformed: `meter phases ${String(v.Phases)} is not 1 or 3` };
      }
      p.powerW = v.Power ?? 0;
      p.phases = v.Phases;
      return { pending: true };
    }
    const perPhase = [v.L1 ?? 0, v.L2 ?? 0, v.L3 ?? 0].slice(0, p.phases);
    if (name === 'MeterCurrent') {
      p.currentA = perPhase;
      return { pending: true };
    }
    this.partial = null;
    const reading: Omit<MeterReading, 'timestampMs'> = {
      energyWh: p.energyWh,
      powerW: p.powerW ?? 0,
      currentA: p.currentA ?? [],
      voltageV: perPhase,
    };
    if (p.socPercent !== undefined) reading.socPercent = p.socPercent;
    return { reading };
  }
}

export function copyReading(r: MeterReading): MeterReading {
  return { ...r, currentA: [...r.currentA], voltageV: [...r.voltageV] };
}

/** Same measured values (the timestamp is ignored). */
export function sameReading(a: MeterReading, b: MeterReading): boolean {
  const same = (x: number[], y: number[]) => x.length === y.length && x.every((n, i) => n === y[i]);
  return (
    a.energyWh === b.energyWh &&
    a.powerW === b.powerW &&
    a.socPercent === b.socPercent &&
    same(a.currentA, b.currentA) &&
    same(a.voltageV, b.voltageV)
  );
}
