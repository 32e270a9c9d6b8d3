/**
 * The HAL contract suite: what every board driver (sim, serial, CAN) must do, checked through
 * hal/types.ts only.
 *
 * Owns: `runHalContract(name, makeRig)`, which defines and runs one uvu suite against fresh rigs.
 * A rig is a started board with no EV, no fault and all contactors open, plus hands on the far
 * side of the hardware (the simulated EV, fault inputs, reader) and a way to let time pass:
 * a manual clock for the simulator, real waiting for drivers behind ptys or a CAN bus. The EV
 * behind a rig requests energy (pilot C) when asked and offered, and draws current while the
 * contactor is closed.
 *
 * Must not: reach into driver internals, assume timings (it waits with a budget), or sleep for
 * real by itself (only rig.advance lets time pass).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../hal/errors.js';
import type { HalErrorCode } from '../../hal/errors.js';
import type { Board, ConnectorHardware, FaultCode, HalEvent, MeterReading } from '../../hal/types.js';

export interface HalTestRig {
  /** A started board: no EV, no fault, contactors open, PWM off. */
  board: Board;
  /** An EV connects at connector `c` (flat id). */
  plug(c: number): Promise<void>;
  unplug(c: number): Promise<void>;
  /** The EV at `c` requests energy (it then goes to C when offered) or stops requesting. */
  evRequest(c: number, on: boolean): Promise<void>;
  raiseFault(c: number, code: FaultCode): Promise<void>;
  clearFault(c: number, code: FaultCode): Promise<void>;
  /** Present a card; without connector, to the board's shared reader (event connector 0). */
  swipe(token: string, c?: number): Promise<void>;
  /** Let `ms` of time pass (manual clock, or real waiting). */
  advance(ms: number): Promise<void>;
  /** Release everything (stops the board if the test did not). */
  close(): Promise<void>;
}

/** How long the suite waits for a reaction, ms of rig time, and the step it waits in. */
const BUDGET_MS = 3000;
const STEP_MS = 20;
/** Power must equal Σ V·I within this fraction (plus 1 W). */
const POWER_TOLERANCE = 0.01;

type EventOf<T extends HalEvent['type']> = Extract<HalEvent, { type: T }>;

class Recorder {
  readonly events: HalEvent[] = [];
  readonly off: () => void;
  constructor(board: Board) {
    this.off = board.on((event) => this.events.push(event));
  }
  of<T extends HalEvent['type']>(type: T, connector?: number): EventOf<T>[] {
    return this.events.filter(
      (e): e is EventOf<T> => e.type === type && (connector === undefined || e.connector === connector),
    );
  }
}

async function until(rig: HalTestRig, what: string, predicate: () => boolean): Promise<void> {
  for (let waitedMs = 0; !predicate(); waitedMs += STEP_MS) {
    if (waitedMs >= BUDGET_MS) assert.unreachable(`timed out after ${BUDGET_MS} ms waiting for ${what}`);
    await rig.advance(STEP_MS);
  }
}

/** Let time pass until `promise` settles; resolve with its value or throw its error. */
async function drive<T>(rig: HalTestRig, what: string, promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.then(
    (value) => ((settled = true), value),
    (error: unknown) => {
      settled = true;
      throw error;
    },
  );
  watched.catch(() => undefined); // observed below through `await watched`
  await until(rig, what, () => settled);
  return watched;
}

async function rejectsWith(rig: HalTestRig, what: string, promise: Promise<unknown>, code: HalErrorCode): Promise<void> {
  try {
    await drive(rig, what, promise);
  } catch (error) {
    assert.instance(error, HalError, `${what}: rejects with a HalError`);
    assert.is((error as HalError).code, code, `${what}: error code`);
    return;
  }
  assert.unreachable(`${what} should reject with ${code}`);
}

function assertConsistent(reading: MeterReading, phases: number, where: string): void {
  assert.ok(Number.isFinite(reading.energyWh) && reading.energyWh >= 0, `${where}: energyWh finite, ≥ 0`);
  assert.is(reading.currentA.length, reading.voltageV.length, `${where}: one voltage per current`);
  assert.ok(reading.currentA.length === 1 || reading.currentA.length === phases, `${where}: phase count`);
  const sum = reading.currentA.reduce((acc, amps, i) => acc + amps * (reading.voltageV[i] ?? NaN), 0);
  assert.ok(
    Math.abs(reading.powerW - sum) <= Math.abs(sum) * POWER_TOLERANCE + 1,
    `${where}: powerW ${reading.powerW} ≈ Σ V·I ${sum}`,
  );
}

function firstConnector(board: Board): ConnectorHardware {
  const c = board.connectors[0];
  if (!c) throw new Error('the rig has no connector');
  return c;
}

/** Plug an EV at `hw`, offer `offerA`, let it request, close the contactor: charging. */
async function startCharging(rig: HalTestRig, hw: ConnectorHardware, offerA: number): Promise<void> {
  const c = hw.info.id;
  await rig.plug(c);
  await until(rig, 'pilot B after plug', () => hw.pilot() === 'B');
  await drive(rig, 'setOffer', hw.setOffer(offerA));
  await rig.evRequest(c, true);
  await until(rig, 'pilot C after request', () => hw.pilot() === 'C');
  await drive(rig, 'setContactor(true)', hw.setContactor(true));
}

export function runHalContract(name: string, makeRig: () => Promise<HalTestRig>): void {
  const contract = suite(`HAL contract: ${name}`);

  const withRig = (title: string, body: (rig: HalTestRig, rec: Recorder) => Promise<void>): void => {
    contract(title, async () => {
      const rig = await makeRig();
      const rec = new Recorder(rig.board);
      try {
        await body(rig, rec);
      } finally {
        rec.off();
        await rig.close();
      }
    });
  };

  withRig('describes its connectors and starts idle: pilot A, no offer, contactor open, no fault', async (rig) => {
    const { board } = rig;
    assert.type(board.driver, 'string');
    assert.ok(board.driver.length > 0, 'driver name');
    assert.ok(board.connectors.length >= 1, 'at least one connector');
    const ids = board.connectors.map((c) => c.info.id);
    assert.equal(ids, [...new Set(ids)], 'distinct connector ids');
    for (const hw of board.connectors) {
      const where = `connector ${hw.info.id}`;
      assert.ok(Number.isInteger(hw.info.id) && hw.info.id >= 1, `${where}: id`);
      assert.is(hw.pilot(), 'A', `${where}: pilot`);
      assert.is(hw.offer(), null, `${where}: offer`);
      assert.is(hw.contactor().commanded, false, `${where}: commanded`);
      assert.ok(hw.contactor().feedback !== true, `${where}: feedback not closed`);
      assert.equal([...hw.faults()], [], `${where}: faults`);
      assert.is(hw.locked(), hw.info.hasLock ? false : null, `${where}: lock`);
      const reading = hw.meter();
      assertConsistent(reading, hw.info.phases, where);
      assert.is(reading.powerW, 0, `${where}: no power`);
      assert.ok(reading.currentA.every((a) => a === 0), `${where}: no current`);
    }
  });

  withRig('reports the pilot: B on plug, C on request with an offer, B when it stops, A on unplug', async (rig, rec) => {
    const hw = firstConnector(rig.board);
    const c = hw.info.id;
    await rig.plug(c);
    await until(rig, 'hal.cpChanged B', () => rec.of('hal.cpChanged', c).length >= 1);
    assert.is(hw.pilot(), 'B');
    await drive(rig, 'setOffer', hw.setOffer(Math.min(16, hw.info.maxCurrentA)));
    await rig.evRequest(c, true);
    await until(rig, 'hal.cpChanged C', () => rec.of('hal.cpChanged', c).length >= 2);
    assert.is(hw.pilot(), 'C');
    await rig.evRequest(c, false);
    await until(rig, 'hal.cpChanged B', () => rec.of('hal.cpChanged', c).length >= 3);
    await rig.unplug(c);
    await until(rig, 'hal.cpChanged A', () => rec.of('hal.cpChanged', c).length >= 4);
    assert.is(hw.pilot(), 'A');
    assert.equal(
      rec.of('hal.cpChanged', c).map((e) => e.state),
      ['B', 'C', 'B', 'A'],
    );
  });

  withRig('setOffer clamps to maxCurrentA and treats < 6 A (or no number) as no offer', async (rig) => {
    for (const hw of rig.board.connectors) {
      const maxA = hw.info.maxCurrentA;
      const cases: [number | null, number | null][] = [
        [maxA + 10, maxA],
        [6, 6],
        [5.9, null],
        [Math.min(10, maxA), Math.min(10, maxA)],
        [0, null],
        [-3, null],
        [Number.NaN, null],
        [Math.min(13, maxA), Math.min(13, maxA)],
        [null, null],
      ];
      for (const [requested, expected] of cases) {
        await drive(rig, `setOffer(${requested})`, hw.setOffer(requested));
        assert.is(hw.offer(), expected, `connector ${hw.info.id}: setOffer(${requested})`);
      }
    }
  });

  withRig('closes and opens the contactor: resolves on feedback, one hal.contactorChanged each way', async (rig, rec) => {
    const hw = firstConnector(rig.board);
    const c = hw.info.id;
    await drive(rig, 'setContactor(true)', hw.setContactor(true));
    assert.is(hw.contactor().commanded, true);
    assert.ok(hw.contactor().feedback !== false, 'feedback closed (or none)');
    assert.equal(
      rec.of('hal.contactorChanged', c).map((e) => e.closed),
      [true],
    );
    await drive(rig, 'setContactor(false)', hw.setContactor(false));
    assert.is(hw.contactor().commanded, false);
    assert.ok(hw.contactor().feedback !== true, 'feedback open (or none)');
    assert.equal(
      rec.of('hal.contactorChanged', c).map((e) => e.closed),
      [true, false],
    );
    assert.equal(rec.of('hal.faultRaised'), [], 'no fault');
  });

  withRig('meters while charging: energy monotonic, power ≈ Σ V·I, no more than offered, stops on open', async (rig, rec) => {
    const hw = firstConnector(rig.board);
    const c = hw.info.id;
    const offerA = Math.min(16, hw.info.maxCurrentA);
    const startWh = hw.meter().energyWh;
    await startCharging(rig, hw, offerA);
    await until(rig, 'power flows', () => hw.meter().powerW > 0);
    let previous = hw.meter();
    for (let i = 0; i < 10; i++) {
      await rig.advance(100);
      const reading = await drive(rig, 'readMeter()', hw.readMeter());
      assertConsistent(reading, hw.info.phases, `sample ${i}`);
      assert.ok(reading.energyWh >= previous.energyWh, `sample ${i}: energy never decreases`);
      assert.ok(reading.timestampMs >= previous.timestampMs, `sample ${i}: time never goes back`);
      for (const amps of reading.currentA) assert.ok(amps <= offerA * 1.01 + 0.1, `sample ${i}: ${amps} A ≤ offer`);
      previous = reading;
    }
    assert.ok(previous.energyWh > startWh, `energy grew while charging (${startWh} → ${previous.energyWh})`);
    const events = rec.of('hal.meter', c);
    assert.ok(events.length > 0, 'hal.meter events while charging');
    events.forEach((e, i) => assertConsistent(e.reading, hw.info.phases, `hal.meter #${i}`));
    for (let i = 1; i < events.length; i++) {
      assert.ok((events[i]?.reading.energyWh ?? -1) >= (events[i - 1]?.reading.energyWh ?? Infinity), 'event energy monotonic');
    }
    await drive(rig, 'setContactor(false)', hw.setContactor(false));
    await until(rig, 'no current after opening', () => hw.meter().currentA.every((a) => a === 0));
    assert.is(hw.meter().powerW, 0);
    const openWh = hw.meter().energyWh;
    await rig.advance(500);
    assert.is(hw.meter().energyWh, openWh, 'no energy counted with the contactor open');
  });

  withRig('locks and unlocks where there is a lock; refuses with notSupported where there is none', async (rig, rec) => {
    for (const hw of rig.board.connectors) {
      const c = hw.info.id;
      if (!hw.info.hasLock) {
        await rejectsWith(rig, `setLock at ${c}`, hw.setLock(true), 'notSupported');
        assert.is(hw.locked(), null);
        continue;
      }
      assert.is(await drive(rig, 'setLock(true)', hw.setLock(true)), 'locked');
      assert.is(hw.locked(), true);
      assert.is(await drive(rig, 'setLock(false)', hw.setLock(false)), 'unlocked');
      assert.is(hw.locked(), false);
      assert.equal(
        rec.of('hal.lockChanged', c).map((e) => e.locked),
        [true, false],
      );
    }
  });

  withRig('reports RFID cards with the reader they were presented to', async (rig, rec) => {
    const c = firstConnector(rig.board).info.id;
    await rig.swipe('04A1B2C3D4E5F6');
    await until(rig, 'hal.rfid', () => rec.of('hal.rfid').length >= 1);
    await rig.swipe('CAFEBABE', c);
    await until(rig, 'hal.rfid at connector', () => rec.of('hal.rfid').length >= 2);
    assert.equal(rec.of('hal.rfid'), [
      { type: 'hal.rfid', connector: 0, token: '04A1B2C3D4E5F6' },
      { type: 'hal.rfid', connector: c, token: 'CAFEBABE' },
    ]);
  });

  withRig('raises and clears faults with events; other connectors unaffected', async (rig, rec) => {
    const hw = firstConnector(rig.board);
    const c = hw.info.id;
    await rig.raiseFault(c, 'overTemperature');
    await until(rig, 'hal.faultRaised', () => rec.of('hal.faultRaised', c).length >= 1);
    assert.is(rec.of('hal.faultRaised', c)[0]?.code, 'overTemperature');
    assert.equal([...hw.faults()], ['overTemperature']);
    for (const other of rig.board.connectors.filter((o) => o !== hw)) assert.equal([...other.faults()], []);
    await rig.clearFault(c, 'overTemperature');
    await until(rig, 'hal.faultCleared', () => rec.of('hal.faultCleared', c).length >= 1);
    assert.equal(rec.of('hal.faultCleared', c), [{ type: 'hal.faultCleared', connector: c, code: 'overTemperature' }]);
    assert.equal([...hw.faults()], []);
  });

  withRig('testRcd resolves true on healthy hardware, notSupported without an RCD test', async (rig) => {
    for (const hw of rig.board.connectors) {
      if (hw.info.hasRcdTest) assert.is(await drive(rig, 'testRcd()', hw.testRcd()), true);
      else await rejectsWith(rig, `testRcd at ${hw.info.id}`, hw.testRcd(), 'notSupported');
    }
  });

  withRig('stop() leaves contactors open and PWM off; later commands reject with stopped', async (rig) => {
    const hw = firstConnector(rig.board);
    await startCharging(rig, hw, Math.min(16, hw.info.maxCurrentA));
    await drive(rig, 'stop()', rig.board.stop());
    for (const each of rig.board.connectors) {
      assert.is(each.contactor().commanded, false, 'commanded open');
      assert.ok(each.contactor().feedback !== true, 'feedback open (or none)');
      assert.is(each.offer(), null, 'PWM off');
    }
    await rejectsWith(rig, 'setOffer after stop', hw.setOffer(10), 'stopped');
    await rejectsWith(rig, 'setContactor after stop', hw.setContactor(true), 'stopped');
    await rejectsWith(rig, 'readMeter after stop', hw.readMeter(), 'stopped');
    if (hw.info.hasLock) await rejectsWith(rig, 'setLock after stop', hw.setLock(true), 'stopped');
    if (hw.info.hasRcdTest) await rejectsWith(rig, 'testRcd after stop', hw.testRcd(), 'stopped');
    await drive(rig, 'second stop()', rig.board.stop());
  });

  withRig('on() returns an unsubscribe function', async (rig, rec) => {
    const seen: HalEvent[] = [];
    const off = rig.board.on((e) => seen.push(e));
    await rig.swipe('AA01');
    await until(rig, 'first card', () => seen.length >= 1);
    off();
    await rig.swipe('AA02');
    await until(rig, 'second card at the other listener', () => rec.of('hal.rfid').length >= 2);
    assert.equal(seen, [{ type: 'hal.rfid', connector: 0, token: 'AA01' }]);
  });

  contract.run();
}
