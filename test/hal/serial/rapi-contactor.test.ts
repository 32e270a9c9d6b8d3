/**
 * How HAL commands map onto an OpenEVSE controller and its reports onto HAL events, over real
 * ptys: offer and permission (enable/sleep), the relay supervision, error states, the
 * controller's own readings.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../../hal/errors.js';
import type { FaultCode } from '../../../hal/types.js';
import { serialHarness, SIM_FAULT_STATES } from './serial-rig.js';
import type { SerialHarness } from './serial-rig.js';

const mapping = suite('RAPI driver: commands and reports');
const ctx = { h: null as unknown as SerialHarness };

mapping.before.each(async () => {
  ctx.h = await serialHarness({ meters: 'controller' });
});
mapping.after.each(async () => {
  await ctx.h.close();
});

const codes = (h: SerialHarness, c = 1, from = 0): string[] =>
  (h.rapi.get(c)?.received.slice(from) ?? []).map((r) => r.code).filter((code) => !['GS', 'GG', 'GU'].includes(code));

async function rejects(promise: Promise<unknown>, code: string): Promise<HalError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  assert.instance(error, HalError, `rejects with ${code}`);
  assert.is((error as HalError).code, code);
  return error as HalError;
}

mapping('start: $GV, then asleep (no offer); offers are volatile $SC then $FE; no offer is $FS', async () => {
  const { h } = ctx;
  assert.equal(codes(h), ['GV', 'FS']);
  const hw = h.hw(1);
  const from = h.rapi.get(1)?.received.length ?? 0;
  await hw.setOffer(40); // clamped to maxCurrentA 32
  await hw.setOffer(10);
  await hw.setOffer(5); // no offer
  assert.equal(codes(h, 1, from), ['SC', 'FE', 'SC', 'FE', 'FS']);
  assert.equal(
    h.rapi.get(1)?.commands('SC').map((c) => c.params),
    [
      ['32', 'V'],
      ['10', 'V'],
    ],
  );
  assert.equal([hw.offer(), h.rapi.get(1)?.enabled()], [null, false]);
});

mapping('offers in quick succession: the controller ends in the state of the last call', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  sim?.plug();
  await Promise.allSettled([hw.setOffer(16), hw.setOffer(null), hw.setOffer(10), hw.setOffer(null)]);
  assert.equal([hw.offer(), sim?.enabled()], [null, false]);
  await Promise.allSettled([hw.setOffer(16), hw.setOffer(null), hw.setOffer(10)]);
  assert.equal([hw.offer(), sim?.enabled(), sim?.capacity()], [10, true, 10]);
  await Promise.allSettled([hw.setOffer(12), hw.setContactor(false), hw.setOffer(null), hw.setOffer(14)]);
  assert.equal([hw.offer(), sim?.enabled(), sim?.capacity()], [14, true, 14]);
});

mapping('the permission: with the EV in C it resolves once the relay is reported closed', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  sim?.plug();
  await hw.setOffer(16);
  sim?.request(true);
  await h.until('pilot C', () => hw.pilot() === 'C');
  assert.is(hw.relayClosed(), true, 'OpenEVSE closes its relay itself once enabled with the EV in C');
  await hw.setContactor(true);
  assert.equal(hw.contactor(), { commanded: true, feedback: null });
  assert.equal(h.of('hal.contactorChanged', 1).map((e) => e.closed), [true]);
});

mapping('opening with the EV in B sends nothing (PWM stays); with the EV in C it sleeps and holds', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  sim?.plug();
  await hw.setOffer(16);
  sim?.request(true);
  await h.until('pilot C', () => hw.pilot() === 'C');
  await hw.setContactor(true);
  sim?.request(false); // the EV pauses: the controller opens its relay itself
  await h.until('pilot B', () => hw.pilot() === 'B' && hw.relayClosed() === false);
  let from = sim?.received.length ?? 0;
  await hw.setContactor(false);
  assert.equal(codes(h, 1, from), [], 'nothing sent: the EV may resume');
  assert.is(sim?.enabled(), true);
  sim?.request(true);
  await h.until('pilot C again', () => hw.pilot() === 'C');
  from = sim?.received.length ?? 0;
  await hw.setContactor(false); // the EV asks: only sleeping opens the relay
  assert.equal(codes(h, 1, from), ['FS']);
  assert.equal([sim?.enabled(), hw.relayClosed(), hw.offer(), hw.diagnostics().hold], [false, false, 16, true]);
  await h.until('the EV sees no PWM', () => hw.pilot() === 'B');
  await hw.setOffer(20); // a new offer while held: stored, the controller stays asleep
  assert.equal([sim?.enabled(), sim?.capacity()], [false, 20]);
  await hw.setContactor(true);
  await h.until('charging again', () => hw.pilot() === 'C' && hw.relayClosed() === true);
  assert.equal(h.of('hal.contactorChanged', 1).map((e) => e.closed), [true, false, true]);
});

mapping('relay never reported closed: contactorFeedback, contactorStuckOpen until it is', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  sim?.injectRelayFlag('neverClosed');
  sim?.plug();
  await hw.setOffer(16);
  sim?.request(true);
  await h.until('pilot C', () => hw.pilot() === 'C');
  const error = await rejects(hw.setContactor(true), 'contactorFeedback');
  assert.match(error.message, 'connector 1: controller reports its relay open 800 ms after permission with the EV in C');
  assert.equal([...hw.faults()], ['contactorStuckOpen']);
  assert.equal(h.of('hal.contactorChanged', 1), []);
  sim?.injectRelayFlag('normal');
  await h.until('cleared', () => hw.faults().length === 0);
  assert.equal(h.of('hal.faultCleared', 1).map((e) => e.code), ['contactorStuckOpen']);
});

mapping('relay still reported closed after sleep: contactorFeedback, contactorWelded until it opens', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  sim?.plug();
  await hw.setOffer(16);
  sim?.request(true);
  await h.until('pilot C', () => hw.pilot() === 'C');
  await hw.setContactor(true);
  sim?.injectRelayFlag('neverOpen');
  await rejects(hw.setContactor(false), 'contactorFeedback');
  assert.equal([...hw.faults()], ['contactorWelded']);
  assert.is(hw.contactor().commanded, false);
  sim?.injectRelayFlag('normal');
  await h.until('cleared', () => hw.faults().length === 0);
});

mapping('a newer contactor command supersedes one waiting for the relay', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  const sim = h.rapi.get(1);
  sim?.injectRelayFlag('neverClosed');
  sim?.plug();
  await hw.setOffer(16);
  sim?.request(true);
  await h.until('pilot C', () => hw.pilot() === 'C');
  const waiting = hw.setContactor(true);
  const opening = hw.setContactor(false);
  const error = await rejects(waiting, 'contactorFeedback');
  assert.match(error.message, 'superseded');
  sim?.injectRelayFlag('normal');
  await opening;
  assert.equal([...hw.faults()], [], 'a superseded command raises no fault');
});

mapping('controller error states raise and clear their faults, with pilot F meanwhile', async () => {
  const { h } = ctx;
  const hw = h.hw(2);
  const sim = h.rapi.get(2);
  for (const [code, state] of Object.entries(SIM_FAULT_STATES) as [FaultCode, number][]) {
    const from = h.events.length;
    sim?.fault(state);
    await h.until(`${code} raised`, () => hw.faults().includes(code));
    sim?.clearFault();
    await h.until(`${code} cleared`, () => hw.faults().length === 0 && hw.pilot() === 'A');
    const name = hw.diagnostics().controllerState;
    assert.is(name?.evseState, 0xfe, 'asleep again (no offer)');
    assert.equal(
      h.events.slice(from).filter((e) => e.connector === 2 && e.type !== 'hal.meter'),
      [
        { type: 'hal.faultRaised', connector: 2, code, detail: `controller state 0x${state.toString(16).padStart(2, '0')} (${detailName(state)}), hard fault` },
        { type: 'hal.cpChanged', connector: 2, state: 'F' },
        { type: 'hal.faultCleared', connector: 2, code },
        { type: 'hal.cpChanged', connector: 2, state: 'A' },
      ],
      code,
    );
  }
  assert.equal([...h.hw(1).faults()], [], 'connector 1 unaffected');
});

function detailName(state: number): string {
  const names: Record<number, string> = {
    0x05: 'diode check failed',
    0x06: 'GFCI fault',
    0x07: 'no ground',
    0x08: 'stuck relay',
    0x0a: 'over temperature',
    0x0b: 'over current',
    0x0e: 'relay closure fault',
  };
  return names[state] ?? '?';
}

mapping('controller readings: one phase from $GG, energy from $GU, never going back at session end', async () => {
  const { h } = ctx;
  const hw = h.hw(2);
  const sim = h.rapi.get(2);
  sim?.plug();
  await hw.setOffer(16);
  sim?.request(true);
  await h.until('pilot C', () => hw.pilot() === 'C');
  await hw.setContactor(true);
  await h.until('power', () => hw.meter().powerW > 0);
  const reading = await hw.readMeter();
  assert.equal([reading.currentA, reading.voltageV, reading.powerW], [[16], [230], 3680]);
  await h.until('some energy', () => hw.meter().energyWh > 0.5);
  await hw.setContactor(false);
  const open = await hw.readMeter();
  assert.equal([open.currentA, open.powerW], [[0], 0]);
  const sessionWh = (sim?.sessionWattSeconds() ?? 0) / 3600;
  sim?.unplug(); // the firmware adds floor(Ws / 3600) to its total
  await h.until('pilot A', () => hw.pilot() === 'A');
  const after = await hw.readMeter();
  assert.is(after.energyWh, open.energyWh, 'the truncated total does not step back');
  assert.ok(Math.abs(open.energyWh - Math.floor(sessionWh * 3600) / 3600) < 0.001, `${open.energyWh} ≈ ${sessionWh}`);
  const meterEvents = h.of('hal.meter', 2).map((e) => e.reading.energyWh);
  assert.ok(meterEvents.every((wh, i) => i === 0 || wh >= (meterEvents[i - 1] ?? 0)), 'hal.meter energy monotonic');
});

mapping('no lock, no RCD test: notSupported; after stop: stopped', async () => {
  const { h } = ctx;
  const hw = h.hw(1);
  await rejects(hw.setLock(true), 'notSupported');
  await rejects(hw.testRcd(), 'notSupported');
  await h.board.stop();
  await rejects(hw.setLock(true), 'stopped');
  await rejects(hw.setOffer(16), 'stopped');
  assert.equal([h.rapi.get(1)?.enabled(), h.rapi.get(2)?.enabled()], [false, false]);
});

mapping.run();
