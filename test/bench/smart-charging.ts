/**
 * Benchmark: smart charging with the maximum number of installed profiles.
 *
 * 1. The calculation alone: a 24 h composite schedule for one connector (and the station total
 *    over two connectors) with MaxChargingProfilesInstalled profiles of ChargingScheduleMaxPeriods
 *    periods each (test/domain/smart-charging/bench.ts builds the profile set).
 * 2. Through the daemon: the same profiles installed over OCPP 1.6 on evsed (simulated board, a
 *    session charging), then GetCompositeSchedule for 24 h asked back to back by the ocpp-rpc
 *    test CSMS. Reported: the round trip of each request, and evsed's event-loop delay during the
 *    burst next to the same measure over an idle stretch of equal length (what a pilot-state
 *    change could have to wait for).
 */
import { performance } from 'node:perf_hooks';
import { TestCsms } from '../peers/csms.js';
import { EvsedProcess, eventually } from '../support/evsed.js';
import { benchCompositeSchedule, benchProfiles } from '../domain/smart-charging/bench.js';
import type { ChargingProfile } from '../../src/domain/smart-charging/model.js';
import type { ProcessStats } from '../../src/control/types.js';
import { quantile } from './stats.js';

export interface CompositeFigures {
  profiles: number;
  periodsPerSchedule: number;
  compositePeriods: number;
  medianMs: number;
  p90Ms: number;
  stationMedianMs: number;
}

export interface DaemonCompositeFigures {
  installed: number;
  requests: number;
  roundTripMedianMs: number;
  roundTripP99Ms: number;
  busyLoopP99Ms: number;
  busyLoopMaxMs: number;
  idleLoopP99Ms: number;
  idleLoopMaxMs: number;
}

export function compositeCalculation(): CompositeFigures {
  const r = benchCompositeSchedule({ samples: 100, station: true });
  return {
    profiles: r.profiles,
    periodsPerSchedule: r.periodsPerSchedule,
    compositePeriods: r.compositePeriods,
    medianMs: r.medianMs,
    p90Ms: r.p90Ms,
    stationMedianMs: quantile(r.stationSamplesMs, 0.5),
  };
}

const PURPOSE_16 = { stationMax: 'ChargePointMaxProfile', txDefault: 'TxDefaultProfile', tx: 'TxProfile' } as const;

/** A benchmark profile as a 1.6 SetChargingProfile request (`txId` = the CSMS's transaction id). */
function toV16Request(p: ChargingProfile, txId: number) {
  const s = p.schedules[0]!;
  return {
    connectorId: p.connector,
    csChargingProfiles: {
      chargingProfileId: p.id,
      stackLevel: p.stackLevel,
      chargingProfilePurpose: PURPOSE_16[p.purpose as keyof typeof PURPOSE_16],
      chargingProfileKind: p.kind === 'absolute' ? 'Absolute' : p.kind === 'recurring' ? 'Recurring' : 'Relative',
      ...(p.recurrency ? { recurrencyKind: p.recurrency === 'daily' ? 'Daily' : 'Weekly' } : {}),
      ...(p.validFromMs !== undefined ? { validFrom: new Date(p.validFromMs).toISOString() } : {}),
      ...(p.validToMs !== undefined ? { validTo: new Date(p.validToMs).toISOString() } : {}),
      ...(p.purpose === 'tx' ? { transactionId: txId } : {}),
      chargingSchedule: {
        ...(s.durationS !== undefined ? { duration: s.durationS } : {}),
        ...(s.startScheduleMs !== undefined ? { startSchedule: new Date(s.startScheduleMs).toISOString() } : {}),
        chargingRateUnit: s.rateUnit,
        chargingSchedulePeriod: s.periods.map((x) => ({
          startPeriod: x.startPeriodS,
          limit: Math.round(x.limit * 10) / 10,
          ...(x.numberPhases !== undefined ? { numberPhases: x.numberPhases } : {}),
        })),
      },
    },
  };
}

export async function compositeThroughDaemon(requests = 100): Promise<DaemonCompositeFigures> {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'] });
  const evsed = new EvsedProcess({
    csmsUrl: csms.url,
    connectors: 2,
    logLevel: 'warn',
    settings: { MeterValueSampleInterval: 0 },
    extra: { evses: [1, 2].map((id) => ({ id, connectors: [{ id: 1, maxCurrentA: 32, phases: 3 }] })) },
  });
  try {
    await evsed.start();
    await eventually(async () => (await evsed.ctl('status')).csms.registration === 'accepted', 10_000, 'registered');
    await evsed.ctl('sim.plug', { connector: 1 });
    await evsed.ctl('sim.swipe', { token: 'BENCH-SC', connector: 1 });
    const start = await csms.waitForCall('StartTransaction', { timeoutMs: 10_000 });
    await eventually(() => csms.messages.some((m) => m.type === 'CALLRESULT' && m.id === start.id), 5000, 'StartTransaction answered');
    const txId = csms.messages.find((m) => m.type === 'CALLRESULT' && m.id === start.id)!.payload.transactionId as number;
    const max = Number((await evsed.ctl<{ value: unknown }>('config.get', { key: 'MaxChargingProfilesInstalled' })).value) || 32;
    // External constraints are the station's own: the CSMS installs the other purposes.
    const profiles = benchProfiles(max + 1, 48, Date.now()).filter((p) => p.purpose !== 'external').slice(0, max);
    let installed = 0;
    for (const p of profiles) {
      const r = await csms.call('SetChargingProfile', toV16Request(p, txId));
      if (r.status === 'Accepted') installed += 1;
    }
    const ask = async () => {
      const t0 = performance.now();
      const r = await csms.call('GetCompositeSchedule', { connectorId: 1, duration: 86_400 });
      if (r.status !== 'Accepted') throw new Error(`GetCompositeSchedule: ${r.status}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 5; i += 1) await ask();
    // The burst, then an idle stretch of the same length, each measured from a fresh histogram.
    await evsed.ctl<ProcessStats>('process', { monitor: true, reset: true });
    const t0 = performance.now();
    const times: number[] = [];
    for (let i = 0; i < requests; i += 1) times.push(await ask());
    const busyMs = performance.now() - t0;
    const busy = await evsed.ctl<ProcessStats>('process', { reset: true });
    await new Promise((r) => setTimeout(r, busyMs));
    const idle = await evsed.ctl<ProcessStats>('process');
    await evsed.ctl('process', { monitor: false });
    return {
      installed,
      requests,
      roundTripMedianMs: quantile(times, 0.5),
      roundTripP99Ms: quantile(times, 0.99),
      busyLoopP99Ms: busy.eventLoopDelayMs?.p99 ?? NaN,
      busyLoopMaxMs: busy.eventLoopDelayMs?.max ?? NaN,
      idleLoopP99Ms: idle.eventLoopDelayMs?.p99 ?? NaN,
      idleLoopMaxMs: idle.eventLoopDelayMs?.max ?? NaN,
    };
  } finally {
    await evsed.stop();
    await csms.stop();
  }
}
