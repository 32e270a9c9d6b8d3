/**
 * The simulated board: the HAL contract, then what only the simulator promises (timing of
 * feedback, fault injection, board-wide faults, supply trips, event delivery, controls, stop).
 * The EV model and energy integration are in sim/ev.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../hal/errors.js';
import type { HalErrorCode } from '../../hal/errors.js';
import { createSimBoard, simConnectorInfo } from '../../hal/sim/index.js';
import type { HalEvent } from '../../hal/types.js';
import { runHalContract } from './contract.js';
import { ManualClock } from './manual-clock.js';
import { makeSimRig, simHarness } from './sim-rig.js';
import type { SimHarness } from './sim-rig.js';

runHalContract('sim', () => makeSimRig());

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return assert.unreachable('should have rejected');
}

async function rejectsWith(promise: Promise<unknown>, code: HalErrorCode): Promise<HalError> {
  const error = await rejection(promise);
  assert.instance(error, HalError);
  assert.is((error as HalError).code, code);
  return error as HalError;
}

/** EV plugged at 1, 16 A offered, EV in C, contactor closed: 3 × 16 A flowing. */
async function charging(h: SimHarness, connector = 1, offerA = 16): Promise<void> {
  await h.controls.plug(connector);
  await h.hw(connector).setOffer(offerA);
  await h.advance(200);
  const closing = h.hw(connector).setContactor(true);
  await h.advance(20);
  await closing;
}

const sim = suite('sim board');

sim('contactor feedback arrives after contactorDelayMs, not before', async () => {
  const h = await simHarness({ contactorDelayMs: 20 });
  let done = false;
  const closing = h.hw(1).setContactor(true).then(() => (done = true));
  await h.advance(19);
  assert.is(done, false);
  assert.equal(h.hw(1).contactor(), { commanded: true, feedback: false });
  assert.equal(h.of('hal.contactorChanged'), []);
  await h.advance(1);
  await closing;
  assert.is(done, true);
  assert.equal(h.of('hal.contactorChanged'), [{ type: 'hal.contactorChanged', connector: 1, closed: true }]);
  await h.board.stop();
});

sim('a command still waiting for feedback is superseded: it rejects, the newer one wins', async () => {
  const h = await simHarness();
  const closing = h.hw(1).setContactor(true);
  const opening = h.hw(1).setContactor(false);
  const error = await rejectsWith(closing, 'contactorFeedback');
  assert.match(error.message, /superseded/);
  await opening; // the contacts never moved: already open
  await h.advance(100);
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false });
  assert.equal(h.of('hal.contactorChanged'), []);
  assert.equal(h.of('hal.faultRaised'), []);
  await h.board.stop();
});

sim('welded contactor: stays closed when opened, raises contactorWelded, rejects; cleared when repaired', async () => {
  const h = await simHarness();
  await charging(h);
  await h.controls.injectContactor(1, 'welded');
  const opening = rejectsWith(h.hw(1).setContactor(false), 'contactorFeedback');
  await h.advance(20);
  await opening;
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: true });
  assert.equal([...h.hw(1).faults()], ['contactorWelded']);
  assert.equal(
    h.of('hal.faultRaised').map((e) => [e.connector, e.code]),
    [[1, 'contactorWelded']],
  );
  assert.equal(h.hw(1).meter().currentA, [16, 16, 16], 'welded contacts still carry current');
  await h.controls.injectContactor(1, 'none');
  await h.advance(20);
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false });
  assert.equal(
    h.of('hal.contactorChanged').map((e) => e.closed),
    [true, false],
  );
  assert.equal(h.of('hal.faultCleared'), [{ type: 'hal.faultCleared', connector: 1, code: 'contactorWelded' }]);
  assert.equal(h.hw(1).meter().currentA, [0, 0, 0]);
  await h.board.stop();
});

sim('stuck-open contactor: never closes, raises contactorStuckOpen, rejects, no current', async () => {
  const h = await simHarness();
  await h.controls.plug(1);
  await h.hw(1).setOffer(16);
  await h.controls.injectContactor(1, 'stuckOpen');
  const closing = rejectsWith(h.hw(1).setContactor(true), 'contactorFeedback');
  await h.advance(200);
  await closing;
  assert.is(h.hw(1).pilot(), 'C');
  assert.equal(h.hw(1).contactor(), { commanded: true, feedback: false });
  assert.equal([...h.hw(1).faults()], ['contactorStuckOpen']);
  assert.equal(h.hw(1).meter().currentA, [0, 0, 0]);
  assert.equal(h.of('hal.contactorChanged'), []);
  await h.board.stop();
});

sim('a board-wide fault (connector 0) shows on every connector and does not open contactors', async () => {
  const h = await simHarness();
  await charging(h);
  await h.controls.raiseFault(0, 'overTemperature', 'cabinet 71 °C');
  assert.equal(h.of('hal.faultRaised'), [
    { type: 'hal.faultRaised', connector: 0, code: 'overTemperature', detail: 'cabinet 71 °C' },
  ]);
  assert.equal([...h.hw(1).faults()], ['overTemperature']);
  assert.equal([...h.hw(2).faults()], ['overTemperature']);
  await h.advance(200);
  assert.equal(h.hw(1).contactor(), { commanded: true, feedback: true });
  assert.equal(h.hw(1).meter().currentA, [16, 16, 16], 'only the statechart opens on a fault');
  await h.controls.raiseFault(0, 'overTemperature');
  assert.is(h.of('hal.faultRaised').length, 1, 'raising an active fault again emits nothing');
  await h.controls.clearFault(0);
  assert.equal(h.of('hal.faultCleared'), [{ type: 'hal.faultCleared', connector: 0, code: 'overTemperature' }]);
  assert.equal([...h.hw(1).faults()], []);
  assert.equal([...h.hw(2).faults()], []);
  await h.board.stop();
});

sim('rcd and emergencyStop trip the supply: current 0 at once, energy frozen, back when cleared', async () => {
  const h = await simHarness();
  await charging(h);
  await h.controls.raiseFault(1, 'rcd');
  const tripped = h.hw(1).meter();
  assert.equal(tripped.currentA, [0, 0, 0]);
  assert.equal(tripped.voltageV, [0, 0, 0]);
  assert.is(tripped.powerW, 0);
  assert.equal(h.hw(1).contactor(), { commanded: true, feedback: true }, 'the contactor is not touched');
  await h.advance(1000);
  assert.is(h.hw(1).meter().energyWh, tripped.energyWh);
  assert.is((await h.controls.snapshot(1)).supplyTripped, true);
  await h.controls.clearFault(1, 'rcd');
  assert.equal(h.hw(1).meter().currentA, [16, 16, 16]);
  await h.controls.raiseFault(0, 'emergencyStop');
  assert.equal(h.hw(1).meter().currentA, [0, 0, 0]);
  assert.equal(h.hw(2).meter().voltageV, [0]);
  await h.controls.clearFault(0, 'emergencyStop');
  assert.equal(h.hw(1).meter().currentA, [16, 16, 16]);
  await h.board.stop();
});

sim('hal.meter: none while idle, once per tick while values change, one more when they stop', async () => {
  const h = await simHarness();
  await h.advance(1000);
  assert.is(h.of('hal.meter').length, 0, 'idle: no meter events');
  await charging(h); // 220 ms: contacts closed at 220 ms
  const before = h.of('hal.meter', 1).length;
  await h.advance(1000); // 5 ticks
  assert.is(h.of('hal.meter', 1).length - before, 5);
  const opening = h.hw(1).setContactor(false);
  await h.advance(20);
  await opening;
  const atOpen = h.of('hal.meter', 1).length;
  await h.advance(1000);
  assert.is(h.of('hal.meter', 1).length - atOpen, 1, 'one event with power 0, then quiet');
  assert.is(h.of('hal.meter', 1).at(-1)?.reading.powerW, 0);
  assert.equal(h.of('hal.meter', 2), []);
  await h.board.stop();
});

sim('lock: resolves after lockDelayMs; a failing lock answers failed and does not move', async () => {
  const h = await simHarness({ lockDelayMs: 50 });
  let result: string | undefined;
  const locking = h.hw(1).setLock(true).then((r) => (result = r));
  await h.advance(49);
  assert.is(result, undefined);
  await h.advance(1);
  await locking;
  assert.is(result, 'locked');
  await h.controls.injectLock(1, 'failing');
  const unlocking = h.hw(1).setLock(false);
  await h.advance(50);
  assert.is(await unlocking, 'failed');
  assert.is(h.hw(1).locked(), true);
  assert.equal(h.of('hal.lockChanged'), [{ type: 'hal.lockChanged', connector: 1, locked: true }]);
  await h.board.stop();
});

sim('RCD test: true when healthy, false with injection', async () => {
  const h = await simHarness({ rcdTestDelayMs: 100 });
  const first = h.hw(1).testRcd();
  await h.advance(100);
  assert.is(await first, true);
  await h.controls.injectRcdTest(1, 'failing');
  const second = h.hw(1).testRcd();
  await h.advance(100);
  assert.is(await second, false);
  await h.board.stop();
});

sim('a throwing listener goes to onListenerError; the others still get every event, in order', async () => {
  const reported: [unknown, HalEvent][] = [];
  const h = await simHarness({ onListenerError: (error, event) => reported.push([error, event]) });
  const boom = new Error('listener bug');
  h.board.on(() => {
    throw boom;
  });
  const late: string[] = [];
  h.board.on((e) => {
    late.push(e.type === 'hal.rfid' ? e.token : e.type);
    // A listener that causes another event: it is delivered after the current one.
    if (e.type === 'hal.rfid' && e.token === 'A') void h.controls.swipe('B');
  });
  await h.controls.swipe('A');
  assert.equal(late, ['A', 'B']);
  assert.equal(
    h.of('hal.rfid').map((e) => e.token),
    ['A', 'B'],
  );
  assert.is(reported.length, 2);
  assert.is(reported[0]?.[0], boom);
  assert.equal(reported[0]?.[1], { type: 'hal.rfid', connector: 0, token: 'A' });
  await h.board.stop();
});

sim('without onListenerError a throwing listener becomes a process warning', async () => {
  const warnings: [string, unknown][] = [];
  const original = process.emitWarning;
  // Captured instead of printed, so the test output stays clean.
  process.emitWarning = ((warning: string, options?: unknown) => void warnings.push([warning, options])) as typeof original;
  try {
    const h = await simHarness();
    h.board.on(() => {
      throw new Error('oops');
    });
    await h.controls.swipe('C');
    assert.equal(warnings, [['hal listener threw on hal.rfid: oops', { code: 'EVSED_HAL_LISTENER' }]]);
    assert.is(h.of('hal.rfid').length, 1, 'the other listener still got the event');
    await h.board.stop();
  } finally {
    process.emitWarning = original;
  }
});

sim('stop(): pending commands reject with stopped, contacts open, no timer left, controls refuse', async () => {
  const h = await simHarness();
  await charging(h);
  const locking = rejectsWith(h.hw(1).setLock(true), 'stopped');
  await h.board.stop();
  await locking;
  assert.is(h.clock.pending(), 0);
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false });
  assert.equal(h.hw(1).meter().currentA, [0, 0, 0]);
  assert.is(h.hw(1).pilot(), 'B', 'the EV sees PWM off');
  await rejectsWith(h.controls.plug(2), 'stopped');
  await rejectsWith(h.controls.swipe('X'), 'stopped');
  await rejectsWith(h.board.start(), 'stopped');
  assert.is((await h.controls.snapshotAll()).stopped, true, 'snapshots still work');
});

sim('controls: unknown connector, bad arguments, EV actions without EV', async () => {
  const h = await simHarness();
  const c = h.controls;
  await rejectsWith(c.plug(9), 'unknownConnector');
  await rejectsWith(c.snapshot(0), 'unknownConnector');
  await rejectsWith(c.raiseFault(3, 'rcd'), 'unknownConnector');
  await rejectsWith(c.swipe('AB', 7), 'unknownConnector');
  await rejectsWith(c.clearFault(-1), 'unknownConnector');
  await rejectsWith(c.evPause(1), 'notSupported');
  await c.plug(1);
  await rejectsWith(c.plug(1), 'notSupported');
  assert.instance(await rejection(c.raiseFault(1, 'melted' as never)), RangeError);
  assert.instance(await rejection(c.injectContactor(1, 'sticky' as never)), RangeError);
  assert.instance(await rejection(c.plug(2, { phases: 2 as never })), RangeError);
  assert.instance(await rejection(c.swipe('')), RangeError);
  await c.raiseFault(1, 'overCurrent');
  await c.raiseFault(1, 'groundFault');
  await c.clearFault(1);
  assert.equal([...h.hw(1).faults()], [], 'clearFault without code clears every fault of the connector');
  await h.board.stop();
});

sim('snapshot: plain JSON with pilot, offer, contactor, current, power, energy, SoC, faults, EV', async () => {
  const h = await simHarness();
  await charging(h);
  await h.advance(1000); // 11 040 W for 1 s = 3.0667 Wh
  await h.controls.raiseFault(1, 'overTemperature');
  const snap = await h.controls.snapshot(1);
  assert.equal(JSON.parse(JSON.stringify(snap)), snap);
  assert.is(snap.pilot, 'C');
  assert.is(snap.offerA, 16);
  assert.is(snap.dutyPercent, 26.7);
  assert.is(snap.evSeesOfferA, 16);
  assert.equal(snap.contactor, { commanded: true, closed: true, injection: 'none' });
  assert.equal(snap.currentA, [16, 16, 16]);
  assert.ok(Math.abs(snap.powerW - 11_040) < 0.01, `powerW ${snap.powerW}`);
  assert.equal(snap.faults, ['overTemperature']);
  assert.equal([snap.evPresent, snap.evPaused, snap.evFull], [true, false, false]);
  assert.ok(Math.abs(snap.energyWh - 11_040 / 3600) < 1e-9, `energyWh ${snap.energyWh}`);
  assert.ok(Math.abs((snap.socPercent ?? 0) - (40 + (100 * 11_040) / 3600 / 60_000)) < 1e-9, `soc ${snap.socPercent}`);
  const all = await h.controls.snapshotAll();
  assert.equal(JSON.parse(JSON.stringify(all)), all);
  assert.equal(
    all.connectors.map((s) => [s.connector, s.evPresent, s.socPercent, s.locked]),
    [
      [1, true, snap.socPercent, false],
      [2, false, null, null],
    ],
  );
  await h.board.stop();
});

sim('options: initial energy continues a register; invalid options are refused', async () => {
  const h = await simHarness({ initialEnergyWh: { 2: 123_456.5 } });
  assert.is(h.hw(2).meter().energyWh, 123_456.5);
  assert.is(h.hw(1).meter().energyWh, 0);
  await h.board.stop();
  const clock = new ManualClock();
  assert.throws(() => createSimBoard({ connectors: [simConnectorInfo(1), simConnectorInfo(1)], clock }), /distinct/);
  assert.throws(() => createSimBoard({ connectors: [simConnectorInfo(1)], clock, timeScale: 0 }), /timeScale/);
  assert.throws(() => createSimBoard({ connectors: [simConnectorInfo(1, { maxCurrentA: 5 })], clock }), /maxCurrentA/);
  assert.throws(() => createSimBoard({ connectors: [simConnectorInfo(1)], clock, initialEnergyWh: { 4: 1 } }), /no connector 4/);
  assert.is(clock.pending(), 0, 'a refused board leaves no timer');
});

sim.run();
