/**
 * Modbus RTU meters over a real pty: exact readings from known registers, two meters sharing
 * one bus (one port owner, one client, requests in series), CRC errors, exception responses,
 * silence and a pulled cable reported as meterFailure and cleared when readings come back.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../../hal/errors.js';
import { ownedPorts } from '../../../hal/serial/index.js';
import { serialHarness } from './serial-rig.js';
import type { SerialHarness } from './serial-rig.js';

const modbus = suite('Modbus meters');
const ctx = { h: null as unknown as SerialHarness };

modbus.before.each(async () => {
  ctx.h = await serialHarness({ meters: 'modbus' });
});
modbus.after.each(async () => {
  await ctx.h.close();
});

function sim(h: SerialHarness) {
  if (!h.modbus) throw new Error('no Modbus simulator');
  return h.modbus;
}

modbus('readings are exact from known register values (SDM630 unit 1, SDM120 unit 2)', async () => {
  const { h } = ctx;
  sim(h).setValues(1, { voltageV: [230.5, 231.25, 229.75], currentA: [16.5, 16.25, 0], powerW: 7583.3125, energyKWh: 1234.5 });
  sim(h).setValues(2, { voltageV: [230.1], currentA: [9.9], powerW: 2277.99, energyKWh: 42.125 });
  const r1 = await h.hw(1).readMeter();
  const r2 = await h.hw(2).readMeter();
  assert.equal(
    { ...r1, timestampMs: 0 },
    { energyWh: 1_234_500, powerW: 7583.313, currentA: [16.5, 16.25, 0], voltageV: [230.5, 231.25, 229.75], timestampMs: 0 },
  );
  assert.equal({ ...r2, timestampMs: 0 }, { energyWh: 42_125, powerW: 2277.99, currentA: [9.9], voltageV: [230.1], timestampMs: 0 });
  assert.ok(Math.abs(r1.timestampMs - Date.now()) < 1000, 'wall-clock timestamp');
  await h.until('hal.meter with the new values', () => h.of('hal.meter', 1).some((e) => e.reading.energyWh === 1_234_500));
  assert.equal(h.of('hal.faultRaised'), []);
});

modbus('two meters on one bus: one port owner, requests for both unit ids, never overlapping', async () => {
  const { h } = ctx;
  await h.until('a few polls', () => sim(h).requests.length >= 20);
  const modbusPorts = ownedPorts().filter((p) => p === h.link('modbus'));
  assert.equal(modbusPorts, [h.link('modbus')], 'one owner for the bus');
  assert.equal(h.board.diagnostics().buses.map((b) => b.path), [h.link('modbus')]);
  const units = new Set(sim(h).requests.map((r) => r.unitId));
  assert.equal([...units].sort(), [1, 2]);
  assert.ok(sim(h).requests.every((r) => r.functionCode === 0x04), 'input registers only');
  assert.equal(
    sim(h).requests.filter((r) => r.unitId === 1).slice(0, 3).map((r) => [r.address, r.count]),
    [
      [0x00, 12],
      [0x34, 2],
      [0x48, 2],
    ],
  );
  const wire = sim(h).wire;
  for (let i = 0; i < wire.length; i++) {
    assert.is(wire[i]?.kind, i % 2 === 0 ? 'request' : 'response', `wire event ${i}: one request at a time`);
    if (i % 2 === 1) assert.is(wire[i]?.unitId, wire[i - 1]?.unitId);
  }
});

modbus('CRC errors: meterFailure once the retry fails too, cleared when readings come back', async () => {
  const { h } = ctx;
  sim(h).inject(1, { kind: 'crc' }, 4);
  await h.until('meterFailure', () => h.hw(1).faults().includes('meterFailure'));
  const raised = h.of('hal.faultRaised', 1);
  assert.is(raised.length, 1);
  assert.match(raised[0]?.detail ?? '', `${h.link('modbus')} unit 1, input registers 0x0000+12: CRC error`);
  await h.until('cleared', () => h.of('hal.faultCleared', 1).length === 1);
  assert.equal([...h.hw(1).faults()], []);
  assert.equal(h.of('hal.faultRaised', 2), [], 'the other meter is unaffected');
  assert.ok((h.board.diagnostics().buses[0]?.counters.crcErrors ?? 0) >= 2);
});

modbus('a single CRC error is absorbed by the retry', async () => {
  const { h } = ctx;
  sim(h).inject(2, { kind: 'crc' }, 1);
  const reading = await h.hw(2).readMeter();
  assert.equal(reading.currentA.length, 1);
  assert.equal(h.of('hal.faultRaised'), []);
});

modbus('exception responses: meterFailure naming the exception; readMeter rejects badReply', async () => {
  const { h } = ctx;
  sim(h).inject(2, { kind: 'exception', code: 2 }, 1000);
  await h.until('meterFailure', () => h.hw(2).faults().includes('meterFailure'));
  assert.match(h.of('hal.faultRaised', 2)[0]?.detail ?? '', 'exception 2 (illegal data address)');
  const error = await h.hw(2).readMeter().catch((e: unknown) => e);
  assert.instance(error, HalError);
  assert.is((error as HalError).code, 'badReply');
  sim(h).inject(2, null);
  await h.until('cleared', () => h.hw(2).faults().length === 0);
});

modbus('a silent meter times out (meterFailure); its neighbour on the bus keeps reading', async () => {
  const { h } = ctx;
  sim(h).inject(1, { kind: 'silence' }, 1000);
  await h.until('meterFailure', () => h.hw(1).faults().includes('meterFailure'));
  assert.match(h.of('hal.faultRaised', 1)[0]?.detail ?? '', 'no answer in 200 ms');
  const before = h.hw(2).meter().timestampMs;
  await h.until('fresh readings at connector 2', () => h.hw(2).meter().timestampMs > before + 100);
  assert.equal([...h.hw(2).faults()], []);
  sim(h).inject(1, null);
  await h.until('cleared', () => h.hw(1).faults().length === 0);
});

modbus('the bus cable pulled: meterFailure at both connectors; cleared when it is back', async () => {
  const { h } = ctx;
  await h.unplugCable('modbus');
  await h.until('both failing', () => h.hw(1).faults().includes('meterFailure') && h.hw(2).faults().includes('meterFailure'));
  await h.replugCable('modbus');
  await h.until('both back', () => h.hw(1).faults().length === 0 && h.hw(2).faults().length === 0, 4000);
  assert.equal(
    h.events.filter((e) => e.type === 'hal.faultRaised' || e.type === 'hal.faultCleared').map((e) => `${e.type}:${e.connector}`).sort(),
    ['hal.faultCleared:1', 'hal.faultCleared:2', 'hal.faultRaised:1', 'hal.faultRaised:2'],
  );
});

modbus.run();
