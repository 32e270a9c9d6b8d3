/**
 * Property tests (fast-check) over random profile sets, connectors and instants:
 * - the composite never exceeds the hardware maximum, nor the limit of the winner of any purpose
 *   (highest stack level in force; tx before txDefault) at any instant (1.6 §3.13.3, SC.01);
 * - limitAt agrees with the composite at every instant (all times on whole seconds);
 * - the periods are well formed: first at 0, strictly increasing, no equal neighbours;
 * - sharing a station cap never offers more than the cap in total (offers below 6 A are no
 *   offers), nor more than a connector's own limit, and an active session gets 0 or at least 6 A.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { compositeSchedule, limitAt, type ConnectorContext } from '../../../src/domain/smart-charging/composite.js';
import { activeSchedule, type ActiveSchedule } from '../../../src/domain/smart-charging/schedule.js';
import { effectivePhases, limitToAmps, type ChargingProfile } from '../../../src/domain/smart-charging/model.js';
import { shareStationCaps } from '../../../src/domain/smart-charging/allocation.js';
import { at, prof, type P } from './fixtures.js';

const BASE = at('2026-04-01T00:00:00Z');
const sec = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((s) => BASE + s * 1000);

const periodsArb = (unit: 'A' | 'W') =>
  fc
    .array(
      fc.record({
        gapS: fc.integer({ min: 1, max: 20_000 }),
        limit: unit === 'A' ? fc.integer({ min: 0, max: 400 }).map((x) => x / 10) : fc.integer({ min: 0, max: 30_000 }),
        phases: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((list) => {
      let start = 0;
      return list.map((x, i): P => {
        if (i > 0) start += x.gapS;
        return x.phases === undefined ? [start, x.limit] : [start, x.limit, x.phases];
      });
    });

const profileArb: fc.Arbitrary<ChargingProfile> = fc
  .record({
    purpose: fc.constantFrom('stationMax', 'txDefault', 'txDefault', 'tx', 'external'),
    connectorPick: fc.constantFrom(0, 1, 1, 2),
    kind: fc.constantFrom('absolute', 'recurring', 'relative'),
    recurrency: fc.constantFrom('daily', 'weekly'),
    stackLevel: fc.integer({ min: 0, max: 3 }),
    startMs: sec(-2 * 86_400, 86_400),
    durationS: fc.option(fc.integer({ min: 1, max: 172_800 }), { nil: undefined }),
    unit: fc.constantFrom('A', 'W'),
    validity: fc.option(fc.tuple(sec(-86_400, 172_800), fc.integer({ min: 1, max: 200_000 })), { nil: undefined }),
    txId: fc.constantFrom('tx-1', 'tx-2'),
    seed: fc.integer({ min: 0, max: 2 }),
  })
  .chain((r) => periodsArb(r.unit as 'A' | 'W').map((periods) => ({ ...r, periods })))
  .map((r) => {
    const purpose = r.purpose as ChargingProfile['purpose'];
    const kind = purpose === 'stationMax' && r.kind === 'relative' ? 'absolute' : (r.kind as ChargingProfile['kind']);
    const connector = purpose === 'stationMax' ? 0 : purpose === 'tx' ? Math.max(1, r.connectorPick) : r.connectorPick;
    return prof({
      purpose,
      kind,
      connector,
      stackLevel: r.stackLevel,
      unit: r.unit as 'A' | 'W',
      periods: r.periods,
      ...(kind === 'recurring' ? { recurrency: r.recurrency as 'daily' | 'weekly' } : {}),
      ...(kind !== 'relative' ? { startMs: r.startMs } : {}),
      ...(r.durationS !== undefined ? { durationS: r.durationS } : {}),
      ...(r.validity ? { validFromMs: r.validity[0], validToMs: r.validity[0] + r.validity[1] * 1000 } : {}),
      ...(purpose === 'tx' ? { transactionId: r.seed === 0 ? 'tx-2' : 'tx-1' } : {}),
      ...(purpose === 'external' ? { source: 'ems' as const } : {}),
    });
  });

const ctxArb: fc.Arbitrary<ConnectorContext> = fc
  .record({
    phases: fc.constantFrom(1, 3),
    hardwareMaxA: fc.integer({ min: 6, max: 63 }),
    nominalVoltageV: fc.constantFrom(230, 110),
    txStartMs: sec(-86_400, 3600),
    localLimitA: fc.option(fc.integer({ min: 0, max: 64 }), { nil: undefined }),
  })
  .map((r) => ({
    connector: 1,
    phases: r.phases,
    hardwareMaxA: r.hardwareMaxA,
    nominalVoltageV: r.nominalVoltageV,
    txStartMs: r.txStartMs,
    transactionId: 'tx-1',
    ...(r.localLimitA !== undefined ? { localLimitA: r.localLimitA } : {}),
  }));

const caseArb = fc.record({
  profiles: fc.array(profileArb, { maxLength: 10 }),
  ctx: ctxArb,
  fromMs: sec(-3600, 86_400),
  durationS: fc.integer({ min: 1, max: 172_800 }),
  probes: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 20 }),
});

/** Among the schedules in force, the highest stack level wins; ties: any of them. */
function winners(list: ChargingProfile[], t: number, txStartMs: number | undefined): ActiveSchedule[] {
  const active = list.map((p) => activeSchedule(p, t, txStartMs)).filter((a): a is ActiveSchedule => a !== null);
  if (active.length === 0) return [];
  const top = Math.max(...active.map((a) => a.profile.stackLevel));
  return active.filter((a) => a.profile.stackLevel === top);
}

function amps(a: ActiveSchedule, ctx: ConnectorContext): number {
  const supply = { phases: ctx.phases, nominalVoltageV: ctx.nominalVoltageV };
  return limitToAmps(a.period.limit, a.schedule.rateUnit, effectivePhases(a.period.numberPhases, supply), supply);
}

test('the composite never exceeds the hardware maximum nor any purpose winner; limitAt agrees at every instant', () => {
  fc.assert(
    fc.property(caseArb, ({ profiles, ctx, fromMs, durationS, probes }) => {
      const c = compositeSchedule({ ...ctx, profiles, fromMs, durationS, unit: 'A' });
      assert.is(c.periods[0]!.startPeriodS, 0);
      c.periods.forEach((p, i) => {
        if (i === 0) return;
        const prev = c.periods[i - 1]!;
        assert.ok(p.startPeriodS > prev.startPeriodS, 'ascending');
        assert.ok(p.limit !== prev.limit || p.numberPhases !== prev.numberPhases, 'merged');
      });
      const instants = new Set<number>();
      for (const x of probes) instants.add(fromMs + Math.floor(x * durationS * 1000));
      for (const p of c.periods) {
        instants.add(fromMs + p.startPeriodS * 1000);
        if (p.startPeriodS > 0) instants.add(fromMs + p.startPeriodS * 1000 - 1);
      }
      const pools = {
        stationMax: profiles.filter((p) => p.purpose === 'stationMax' && p.connector === 0),
        ext0: profiles.filter((p) => p.purpose === 'external' && p.connector === 0),
        ext1: profiles.filter((p) => p.purpose === 'external' && p.connector === 1),
        tx: profiles.filter((p) => p.purpose === 'tx' && p.connector === 1 && p.transactionId === 'tx-1'),
        txDefault: profiles.filter((p) => p.purpose === 'txDefault' && (p.connector === 0 || p.connector === 1)),
      };
      for (const t of instants) {
        const v = [...c.periods].reverse().find((p) => fromMs + p.startPeriodS * 1000 <= t)!.limit;
        assert.is(limitAt(profiles, ctx, t), v, `limitAt at +${t - fromMs} ms`);
        assert.ok(v <= ctx.hardwareMaxA, 'hardware');
        if (ctx.localLimitA !== undefined) assert.ok(v <= ctx.localLimitA + 1e-9, 'local limit');
        const txWin = winners(pools.tx, t, ctx.txStartMs);
        const checks = [
          winners(pools.stationMax, t, ctx.txStartMs),
          winners(pools.ext0, t, ctx.txStartMs),
          winners(pools.ext1, t, ctx.txStartMs),
          txWin.length > 0 ? txWin : winners(pools.txDefault, t, ctx.txStartMs),
        ];
        for (const tied of checks) {
          if (tied.length === 0) continue;
          const allowed = Math.max(...tied.map((a) => amps(a, ctx)));
          assert.ok(v <= allowed + 1e-9, `at +${t - fromMs} ms: ${v} > ${allowed} (${tied[0]!.profile.purpose})`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('a start off the whole second: the composite never exceeds limitAt at any instant', () => {
  fc.assert(
    fc.property(caseArb, fc.integer({ min: 1, max: 999 }), ({ profiles, ctx, fromMs: aligned, durationS, probes }, shiftMs) => {
      const fromMs = aligned + shiftMs;
      const c = compositeSchedule({ ...ctx, profiles, fromMs, durationS, unit: 'A' });
      const valueAt = (t: number) => [...c.periods].reverse().find((p) => fromMs + p.startPeriodS * 1000 <= t)!.limit;
      const instants = probes.map((x) => fromMs + Math.floor(x * durationS * 1000));
      for (const p of c.periods) instants.push(fromMs + p.startPeriodS * 1000, fromMs + p.startPeriodS * 1000 + 999);
      for (const t of instants) {
        if (t >= fromMs + durationS * 1000) continue;
        const v = valueAt(t);
        assert.ok(v <= limitAt(profiles, ctx, t) + 1e-9, `at +${t - fromMs} ms: ${v} > ${limitAt(profiles, ctx, t)}`);
      }
    }),
    { numRuns: 200 },
  );
});

test('the composite in W never exceeds the hardware maximum as power', () => {
  fc.assert(
    fc.property(caseArb, ({ profiles, ctx, fromMs, durationS }) => {
      const c = compositeSchedule({ ...ctx, profiles, fromMs, durationS, unit: 'W' });
      for (const p of c.periods) {
        assert.ok(p.limit <= ctx.hardwareMaxA * ctx.nominalVoltageV * p.numberPhases + 1e-6);
        assert.ok(p.numberPhases >= 1 && p.numberPhases <= ctx.phases);
      }
    }),
    { numRuns: 150 },
  );
});

test('sharing a station cap: within the cap, within each demand, an active session gets 0 or at least 6 A', () => {
  const demandArb = fc.record({
    demandA: fc.integer({ min: 0, max: 640 }).map((x) => x / 10),
    phases: fc.constantFrom(1, 3),
    nominalVoltageV: fc.constantFrom(230, 110),
    active: fc.boolean(),
    sinceMs: fc.integer({ min: 0, max: 1000 }),
  });
  fc.assert(
    fc.property(
      fc.array(demandArb, { minLength: 1, maxLength: 6 }),
      fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
      (list, capA, capW) => {
        const demands = list.map((d, i) => ({ ...d, connector: i + 1 }));
        const caps = { amps: capA ?? Infinity, watts: capW ?? Infinity };
        const shares = shareStationCaps(demands, caps);
        let sumA = 0;
        let sumW = 0;
        for (const d of demands) {
          const s = shares.get(d.connector)!;
          assert.ok(s >= 0 && s <= d.demandA + 1e-9, 'within demand');
          // Below 6 A nothing is offered (IEC 61851): only real offers draw from the cap.
          if (d.active && s >= 6) {
            sumA += s;
            sumW += s * d.nominalVoltageV * d.phases;
          }
          if (d.active) {
            if (d.demandA >= 6 && (capA !== undefined || capW !== undefined)) assert.ok(s === 0 || s >= 6, `share ${s}`);
          }
        }
        assert.ok(sumA <= caps.amps + 1e-6 && sumW <= caps.watts + 1e-3, 'within the caps');
      },
    ),
    { numRuns: 500 },
  );
});

test.run();
