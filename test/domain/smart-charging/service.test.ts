/**
 * SmartChargingService on the simulated board with a manual clock: limits applied at once and
 * exactly at each boundary, pausing below 6 A, local limits, ExternalControlSignalsEnabled,
 * sharing a station maximum, tx profiles bound to and removed with their transaction, restart
 * from the database (K01.FR.27), clock jumps, clearing and composite schedules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createSimBoard, simConnectorInfo, type SimBoard } from '../../../hal/sim/index.js';
import { createClock, type Clock } from '../../../src/domain/clock.js';
import { Settings } from '../../../src/domain/settings.js';
import { StationRuntime } from '../../../src/domain/station.js';
import { SmartChargingService, type LimitChange } from '../../../src/domain/smart-charging/service.js';
import type { ChargingProfile } from '../../../src/domain/smart-charging/model.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { createSettingsStore } from '../../../src/store/settings.js';
import { createChargingProfileStore } from '../../../src/store/charging-profiles.js';
import { ManualClock } from '../../hal/manual-clock.js';
import { at, prof } from './fixtures.js';

const T0 = at('2026-03-10T10:15:00.000Z');

interface Rig {
  dir: string;
  db: Db;
  hal: ManualClock;
  clock: Clock;
  board: SimBoard;
  runtime: StationRuntime;
  settings: Settings;
  svc: SmartChargingService;
  changes: LimitChange[];
  /** Running transactions per connector (what txStartOf / txIdOf report). */
  tx: Map<number, { startMs: number; id: string }>;
  newService(): SmartChargingService;
  limit(connector: number): number;
  state(connector: number): string;
  close(keepDir?: boolean): Promise<void>;
}

async function startRig(dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-sc-svc-')), startMs = T0): Promise<Rig> {
  const db = openDatabase(dir);
  const settingsStore = createSettingsStore(db);
  const settings = new Settings(settingsStore);
  const hal = new ManualClock(startMs);
  const clock = createClock(() => hal.now());
  const board = createSimBoard({
    connectors: [simConnectorInfo(1), simConnectorInfo(2, { phases: 1, maxCurrentA: 16, hasLock: false })],
    clock: hal,
  });
  await board.start();
  const runtime = new StationRuntime({
    board,
    logger: pino({ level: 'silent' }),
    clock,
    settings: settingsStore,
    connectionTimeoutMs: 600_000,
    heartbeatIntervalS: 300,
    bootRetryS: 60,
  });
  runtime.start();
  const store = createChargingProfileStore<ChargingProfile>(db, () => hal.now());
  const tx = new Map<number, { startMs: number; id: string }>();
  const changes: LimitChange[] = [];
  const newService = () => {
    const s = new SmartChargingService({
      store,
      settings,
      clock,
      runtime,
      txStartOf: (c) => tx.get(c)?.startMs,
      txIdOf: (c) => tx.get(c)?.id,
      logger: pino({ level: 'silent' }),
      timers: hal,
    });
    s.onLimitChanged((c) => changes.push(c));
    return s;
  };
  const rig: Rig = {
    dir,
    db,
    hal,
    clock,
    board,
    runtime,
    settings,
    svc: newService(),
    changes,
    tx,
    newService,
    limit: (c) => runtime.connector(c)!.view().limitA,
    state: (c) => runtime.connector(c)!.view().state,
    async close(keepDir = false) {
      rig.svc.stop();
      runtime.stop();
      await board.stop();
      db.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  rig.svc.start();
  return rig;
}

function withRig(fn: (r: Rig) => Promise<void>): () => Promise<void> {
  return async () => {
    const r = await startRig();
    try {
      await fn(r);
    } finally {
      await r.close();
    }
  };
}

/** EV plugged in and session authorized on `connector`. */
async function session(r: Rig, connector: number): Promise<void> {
  await r.board.controls.plug(connector);
  await r.hal.advance(0);
  assert.ok(r.runtime.connector(connector)!.authorize('TAG-' + connector));
  await r.hal.advance(1000);
}

test('without profiles every connector is offered its hardware maximum', withRig(async (r) => {
  assert.is(r.limit(1), 32);
  assert.is(r.limit(2), 16);
  assert.equal(
    r.changes.map((c) => [c.connector, c.limitA, c.previousA, c.source]),
    [
      [1, 32, null, 'hardware'],
      [2, 16, null, 'hardware'],
    ],
  );
}));

test('limits change exactly at each boundary; below 6 A the session pauses and resumes after', withRig(async (r) => {
  await session(r, 1);
  assert.is(r.state(1), 'charging');
  const start = r.clock.now() + 9_000;
  const result = r.svc.install(prof({ id: 1, connector: 0, startMs: start, periods: [[0, 16], [60, 4], [120, 10]] }));
  assert.equal(result, { status: 'accepted', replaced: [] });
  assert.is(r.limit(1), 32);
  await r.hal.advance(start - r.clock.now() - 1);
  assert.is(r.limit(1), 32);
  await r.hal.advance(1);
  assert.is(r.limit(1), 16);
  assert.is(r.limit(2), 16);
  await r.hal.advance(60_000);
  assert.is(r.limit(1), 4);
  assert.is(r.state(1), 'pausedByCharger');
  await r.hal.advance(59_999);
  assert.is(r.state(1), 'pausedByCharger');
  await r.hal.advance(1);
  assert.is(r.limit(1), 10);
  await r.hal.advance(2000);
  assert.is(r.state(1), 'charging');
  const c1 = r.changes.filter((c) => c.connector === 1).map((c) => [c.limitA, c.source, c.profileId ?? null]);
  assert.equal(c1, [
    [32, 'hardware', null],
    [16, 'csms', 1],
    [4, 'csms', 1],
    [10, 'csms', 1],
  ]);
}));

test('local limits (energy manager) apply at once and are ignored while ExternalControlSignalsEnabled is false', withRig(async (r) => {
  r.svc.setLocalLimit(1, 12);
  assert.is(r.limit(1), 12);
  assert.equal(r.changes.at(-1), { connector: 1, limitA: 12, previousA: 32, source: 'ems', shared: false });
  r.svc.setLocalLimit(0, 10);
  assert.is(r.limit(1), 10);
  assert.is(r.limit(2), 10);
  assert.equal(r.settings.set('ExternalControlSignalsEnabled', 'false'), { status: 'Accepted' });
  assert.is(r.limit(1), 32);
  assert.equal(r.settings.set('ExternalControlSignalsEnabled', 'true'), { status: 'Accepted' });
  assert.is(r.limit(1), 10);
  r.svc.setLocalLimit(0, null);
  r.svc.setLocalLimit(1, null);
  assert.is(r.limit(1), 32);
  assert.throws(() => r.svc.setLocalLimit(9, 10), (e: Error & { code?: string }) => e.code === 'unknownConnector');
  assert.throws(() => r.svc.setLocalLimit(1, -1), (e: Error & { code?: string }) => e.code === 'invalidLimit');
}));

test('a station maximum is shared between sessions (1.6 §3.13.3): equal shares, first come first served below 6 A', withRig(async (r) => {
  r.svc.install(prof({ id: 5, purpose: 'stationMax', connector: 0, startMs: T0, periods: [[0, 20]] }));
  assert.is(r.limit(1), 20);
  assert.is(r.limit(2), 16);
  await session(r, 1);
  assert.is(r.limit(1), 20);
  assert.is(r.limit(2), 10, 'an idle connector is offered what it would get if it started now');
  await session(r, 2);
  assert.is(r.limit(1), 10);
  assert.is(r.limit(2), 10);
  const shared = r.changes.filter((c) => c.shared).at(-1)!;
  assert.equal([shared.connector, shared.source, shared.purpose, shared.profileId], [1, 'csms', 'stationMax', 5]);
  r.svc.install(prof({ id: 5, purpose: 'stationMax', connector: 0, startMs: T0, periods: [[0, 10]] }));
  assert.is(r.limit(1), 10);
  assert.is(r.limit(2), 0);
  assert.is(r.state(2), 'pausedByCharger');
  r.runtime.connector(1)!.deauthorize();
  await r.hal.advance(1000);
  assert.is(r.limit(2), 10);
}));

test('tx profiles: refused without a transaction, bound to it, relative to its start, removed when it ends', withRig(async (r) => {
  const txProfile = prof({ id: 9, purpose: 'tx', kind: 'relative', connector: 1, periods: [[0, 8], [300, 12]] });
  const refused = r.svc.install(txProfile);
  assert.equal(refused.status === 'rejected' ? refused.reason : 'accepted', 'noTransaction');
  r.svc.install(prof({ id: 2, connector: 0, startMs: T0, periods: [[0, 20]] }));
  await session(r, 1);
  r.tx.set(1, { startMs: r.clock.now(), id: 'tx-abc' });
  r.svc.transactionStarted(1);
  assert.equal(r.svc.install(txProfile).status, 'accepted');
  assert.is(r.svc.profiles({ id: 9 })[0]!.transactionId, 'tx-abc');
  assert.is(r.limit(1), 8);
  await r.hal.advance(300_000);
  assert.is(r.limit(1), 12);
  r.tx.delete(1);
  assert.equal(r.svc.transactionEnded(1, 'tx-abc').map((p) => p.id), [9]);
  assert.is(r.limit(1), 20);
  assert.equal(r.svc.profiles().map((p) => p.id), [2]);
}));

test('after a restart: profiles come back from the database; a tx profile whose transaction is gone does not', async () => {
  const first = await startRig();
  first.svc.install(prof({ id: 3, connector: 1, startMs: T0, periods: [[0, 14]] }));
  first.tx.set(1, { startMs: T0, id: 'tx-1' });
  assert.equal(first.svc.install(prof({ id: 4, purpose: 'tx', connector: 1, startMs: T0, periods: [[0, 8]] })).status, 'accepted');
  assert.is(first.limit(1), 8);
  await first.close(true);
  const second = await startRig(first.dir, T0 + 60_000);
  try {
    assert.equal(second.svc.profiles().map((p) => p.id), [3]);
    assert.is(second.limit(1), 14);
  } finally {
    await second.close();
  }
});

test('a timer that fires a millisecond early on a clock that moves while it works: no boundary is skipped', withRig(async (r) => {
  // Node timers may fire up to 1 ms before Date.now() reaches their target, and the clock moves
  // between two reads. The next boundary must be chosen from the instant the limits were
  // evaluated at, or the one just missed (the last, here) is skipped for good.
  r.svc.stop();
  // Every other read is a millisecond later.
  let reads = 0;
  let moving = false;
  const clock = createClock(() => r.hal.now() + (moving ? reads++ % 2 : 0));
  const early = { setTimeout: (fn: () => void, ms: number) => r.hal.setTimeout(fn, Math.max(1, ms - 1)) };
  const svc = new SmartChargingService({
    store: createChargingProfileStore<ChargingProfile>(r.db, () => r.hal.now()),
    settings: r.settings,
    clock,
    runtime: r.runtime,
    txStartOf: () => undefined,
    logger: pino({ level: 'silent' }),
    timers: early,
  });
  svc.start();
  try {
    const start = r.clock.now() + 5_000;
    svc.install(prof({ id: 9, connector: 0, startMs: start, periods: [[0, 16], [3, 10]] }));
    moving = true;
    await r.hal.advance(5_000 + 3_000 + 50);
    assert.is(r.limit(1), 10, 'the last boundary was applied');
    assert.is(svc.appliedLimit(1), 10);
  } finally {
    svc.stop();
  }
}));

test('a clock jump: resync() applies the limit of the new time and re-arms for its next boundary', withRig(async (r) => {
  const daily = prof({
    id: 6,
    connector: 0,
    kind: 'recurring',
    recurrency: 'daily',
    startMs: at('2026-01-01T00:00:00Z'),
    periods: [[0, 16], [12 * 3600, 8]],
  });
  r.svc.install(daily);
  assert.is(r.limit(1), 16); // 10:15
  r.clock.synchronise(at('2026-03-10T13:00:00Z'));
  r.svc.resync();
  assert.is(r.limit(1), 8);
  await r.hal.advance(11 * 3600_000 - 1);
  assert.is(r.limit(1), 8);
  await r.hal.advance(1);
  assert.is(r.limit(1), 16); // midnight
}));

test('clear: by id (other fields ignored), by filter (AND), never an external constraint unless asked', withRig(async (r) => {
  r.svc.install(prof({ id: 1, connector: 0, stackLevel: 0, startMs: T0, periods: [[0, 16]] }));
  r.svc.install(prof({ id: 2, connector: 1, stackLevel: 1, startMs: T0, periods: [[0, 12]] }));
  r.svc.install(prof({ id: 3, purpose: 'stationMax', connector: 0, stackLevel: 1, startMs: T0, periods: [[0, 30]] }));
  const ext = prof({ id: 4, purpose: 'external', connector: 0, source: 'ems', startMs: T0, periods: [[0, 11]] });
  assert.equal(r.svc.install(ext, { installer: 'station' }).status, 'accepted');
  assert.is(r.limit(1), 11);
  assert.equal(r.svc.clear({ id: 2, connector: 2 }).map((p) => p.id), [2]);
  assert.equal(r.svc.clear({ stackLevel: 1, purpose: 'txDefault' }), []);
  assert.equal(r.svc.clear({ connector: 0, stackLevel: 1 }).map((p) => p.id), [3]);
  assert.equal(r.svc.clear({ id: 4 }), []);
  assert.equal(r.svc.clear().map((p) => p.id), [1]);
  assert.is(r.limit(1), 11);
  assert.equal(r.svc.clear({ includeExternal: true }).map((p) => p.id), [4]);
  assert.is(r.limit(1), 32);
}));

test('composite schedules from the service: a connector, the station (0), an unknown connector', withRig(async (r) => {
  r.svc.install(prof({ id: 1, connector: 0, startMs: T0, periods: [[0, 16], [600, 10]] }));
  const one = r.svc.composite(1, { durationS: 900, unit: 'A' })!;
  assert.equal(one.startMs, T0);
  assert.equal(one.periods.map((p) => [p.startPeriodS, p.limit]), [[0, 16], [600, 10]]);
  const station = r.svc.composite(0, { durationS: 900, unit: 'A' })!;
  assert.equal(station.periods.map((p) => [p.startPeriodS, p.limit]), [[0, 32], [600, 20]]);
  assert.is(r.svc.composite(7, { durationS: 60, unit: 'A' }), null);
  assert.is(r.svc.unitSupported('W'), true);
  assert.is(r.svc.limitInForce(1).limitA, 16);
  assert.is(r.svc.appliedLimit(1), 16);
}));

test.run();
