/**
 * Bad input on the bus: unknown ids, foreign nodes, frames in the wrong direction, wrong
 * lengths, remote frames, values out of range, broken multi-frame sequences. Each one is ignored
 * (no event, no state change), counted, and reported with a precise detail.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scripted } from './scripted.js';

const frame = (id: number, bytes: number[], extra: { ext?: boolean; rtr?: boolean } = {}) => ({
  id,
  data: Buffer.from(bytes),
  ...extra,
});

test('unknown and malformed frames are ignored, counted and reported; good ones still work', async () => {
  const s = await scripted();
  const before = s.board.stats();
  const eventsBefore = s.events.length;
  const bad: [string, ReturnType<typeof frame>][] = [
    ['unknown', frame(0x3f5, [1, 2])], // function 0x3F0 is not used
    ['unknown', frame(0x0c1, [1, 2], { ext: true })],
    ['unknown', frame(0x0c7, [1, 2])], // PilotState from node 7, not configured
    ['unknown', frame(0x700, [1, 5])], // evsed's own heartbeat
    ['unknown', frame(0x101, [1, 1, 160, 0, 11, 1])], // an OfferCommand, evsed's to send
    ['unknown', frame(0x0c0, [1, 2])], // node 0 is nobody
    ['malformed', frame(0x0c1, [1])],
    ['malformed', frame(0x0c1, [1, 2, 0])],
    ['malformed', frame(0x0c1, [1, 2], { rtr: true })],
    ['malformed', frame(0x0c1, [1, 9])], // pilot state code 9
    ['malformed', frame(0x0c1, [9, 2])], // channel 9
    ['malformed', frame(0x191, [1, 4, 0, 0, 0, 0, 3])], // MeterPower without its MeterEnergy
    ['malformed', frame(0x1d1, [0x10, 7, 1, 2, 3, 4, 5, 6])], // RfidToken part 1 first
    ['malformed', frame(0x131, [2, 0, 1])], // LockState for connector 2, which has no lock
    ['malformed', frame(0x181, [1, 4, 0, 0, 0, 0, 150])], // state of charge 150 %
  ];
  for (const [, f] of bad) s.raw.send(f);
  await s.advance(0);
  const after = s.board.stats();
  assert.is(after.unknown - before.unknown, bad.filter(([k]) => k === 'unknown').length);
  assert.is(after.malformed - before.malformed, bad.filter(([k]) => k === 'malformed').length);
  assert.is(after.received, before.received);
  assert.equal(s.events.slice(eventsBefore), [], 'no event');
  assert.equal(
    s.board.connectors.map((c) => c.pilot()),
    ['A', 'A'],
  );
  assert.equal(
    s.diagnostics.map((d) => d.detail),
    [
      'id 0x3F5: not in the database',
      'extended id 0x0C1: extended ids are not used',
      'PilotState (id 0x0C7): node 7 is not configured',
      'EvsedHeartbeat (id 0x700): sent by evsed, not expected here',
      'OfferCommand (id 0x101): sent by evsed, not expected here',
      'id 0x0C0: not in the database',
      'PilotState (id 0x0C1): 1 bytes, expected 2',
      'PilotState (id 0x0C1): 3 bytes, expected 2',
      'PilotState (id 0x0C1): remote frame',
      'PilotState from node 1: pilot state code 9 is not valid',
      'PilotState from node 1: node 1 has no channel 9',
      'MeterPower from node 1: MeterPower seq 4 does not continue a reading',
      'RfidToken from node 1: RfidToken part 1 does not continue a token',
      'LockState from node 1: connector 2 has no lock',
      'MeterEnergy from node 1: state of charge 150 % is not valid',
    ],
  );
  s.raw.send(frame(0x0c1, [1, 2]));
  await s.advance(0);
  assert.equal(s.events.slice(eventsBefore), [{ type: 'hal.cpChanged', connector: 1, state: 'B' }]);
  assert.is(s.board.stats().received, before.received + 1);
  await s.close();
});

test('a meter reading interrupted by a frame of another reading is dropped whole', async () => {
  const s = await scripted();
  const hw = s.board.connectors[0]!;
  const start = hw.meter();
  s.send('MeterEnergy', { Channel: 1, Seq: 1, Energy: 100, Soc: 255 });
  s.send('MeterPower', { Channel: 1, Seq: 1, Power: 6900, Phases: 3 });
  s.send('MeterEnergy', { Channel: 1, Seq: 2, Energy: 101, Soc: 80 });
  s.send('MeterCurrent', { Channel: 1, Seq: 1, L1: 10, L2: 10, L3: 10 }); // belongs to reading 1
  s.send('MeterVoltage', { Channel: 1, Seq: 1, L1: 230, L2: 230, L3: 230 });
  await s.advance(0);
  assert.equal(hw.meter(), start, 'nothing half-read is used');
  assert.is(s.board.stats().malformed, 2);
  s.send('MeterEnergy', { Channel: 1, Seq: 3, Energy: 102, Soc: 80 });
  s.send('MeterPower', { Channel: 1, Seq: 3, Power: 6900, Phases: 3 });
  s.send('MeterCurrent', { Channel: 1, Seq: 3, L1: 10, L2: 10, L3: 10 });
  s.send('MeterVoltage', { Channel: 1, Seq: 3, L1: 230, L2: 230, L3: 230.5 });
  await s.advance(0);
  assert.equal(hw.meter(), {
    energyWh: 102,
    powerW: 6900,
    currentA: [10, 10, 10],
    voltageV: [230, 230, 230.5],
    socPercent: 80,
    timestampMs: s.clock.now(),
  });
  assert.is(s.events.filter((e) => e.type === 'hal.meter').length, 1);
  await s.close();
});

test('node-wide faults (channel 0) are reported on every connector of the node', async () => {
  const s = await scripted();
  const bits = (on: number) => ({
    Channel: 0,
    Rcd: 0,
    GroundFault: 0,
    OverTemperature: 0,
    OverCurrent: 0,
    OverVoltage: 0,
    UnderVoltage: 0,
    ContactorWelded: 0,
    ContactorStuckOpen: 0,
    PilotFault: 0,
    LockFailure: 0,
    MeterFailure: 0,
    ReaderFailure: 0,
    EmergencyStop: on,
    Internal: 0,
  });
  s.send('FaultState', bits(1));
  await s.advance(0);
  assert.equal(
    s.events.filter((e) => e.type === 'hal.faultRaised'),
    [
      { type: 'hal.faultRaised', connector: 1, code: 'emergencyStop' },
      { type: 'hal.faultRaised', connector: 2, code: 'emergencyStop' },
    ],
  );
  assert.equal(
    s.board.connectors.map((c) => [...c.faults()]),
    [['emergencyStop'], ['emergencyStop']],
  );
  s.send('FaultState', bits(0));
  await s.advance(0);
  assert.equal(
    s.board.connectors.map((c) => [...c.faults()]),
    [[], []],
  );
  assert.is(s.events.filter((e) => e.type === 'hal.faultCleared').length, 2);
  await s.close();
});

test.run();
