/**
 * Test support for smart charging: a compact way to write charging profiles and instants.
 * Must not: hold assertions.
 */
import type { ChargingProfile, ProfileKind, ProfilePurpose, RateUnit, Recurrency } from '../../../src/domain/smart-charging/model.js';
import type { ConnectorContext } from '../../../src/domain/smart-charging/composite.js';

export const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};

/** [startPeriodS, limit] or [startPeriodS, limit, numberPhases]. */
export type P = [number, number] | [number, number, number];

export interface ProfileSpec {
  id?: number;
  stackLevel?: number;
  purpose?: ProfilePurpose;
  kind?: ProfileKind;
  recurrency?: Recurrency;
  validFromMs?: number;
  validToMs?: number;
  connector?: number;
  transactionId?: string;
  startMs?: number;
  durationS?: number;
  unit?: RateUnit;
  periods: P[];
  source?: ChargingProfile['source'];
}

let nextId = 1000;

export function prof(s: ProfileSpec): ChargingProfile {
  const kind = s.kind ?? 'absolute';
  const purpose = s.purpose ?? 'txDefault';
  const p: ChargingProfile = {
    id: s.id ?? nextId++,
    stackLevel: s.stackLevel ?? 0,
    purpose,
    kind,
    connector: s.connector ?? (purpose === 'stationMax' ? 0 : 1),
    source: s.source ?? 'csms',
    schedules: [
      {
        rateUnit: s.unit ?? 'A',
        periods: s.periods.map(([startPeriodS, limit, numberPhases]) =>
          numberPhases === undefined ? { startPeriodS, limit } : { startPeriodS, limit, numberPhases },
        ),
      },
    ],
  };
  const sched = p.schedules[0]!;
  if (kind !== 'relative') sched.startScheduleMs = s.startMs ?? 0;
  if (s.durationS !== undefined) sched.durationS = s.durationS;
  if (s.recurrency !== undefined) p.recurrency = s.recurrency;
  if (s.validFromMs !== undefined) p.validFromMs = s.validFromMs;
  if (s.validToMs !== undefined) p.validToMs = s.validToMs;
  if (s.transactionId !== undefined) p.transactionId = s.transactionId;
  return p;
}

/** Connector 1 of the examples: 3 × 32 A at 230 V. */
export function conn(o: Partial<ConnectorContext> = {}): ConnectorContext {
  return { connector: 1, hardwareMaxA: 32, phases: 3, nominalVoltageV: 230, ...o };
}

/** Periods as [startPeriodS, limit] pairs, for compact assertions. */
export const pairs = (periods: ReadonlyArray<{ startPeriodS: number; limit: number }>): Array<[number, number]> =>
  periods.map((p) => [p.startPeriodS, p.limit]);
