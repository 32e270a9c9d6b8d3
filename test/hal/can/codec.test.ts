/**
 * The frame database (evsed-io.kcd) and the codec: the frame table, encode → fake bus → decode
 * round trips of every message through socketcan's DatabaseService (extremes and ordinary
 * values), byte layout, node addressing, and refusals on both ends.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CanCodec, checkBus, defaultKcdPath, loadKcd } from '../../../hal/can/codec.js';
import type { DecodedMessage } from '../../../hal/can/codec.js';
import { MESSAGES, MESSAGE_NAMES } from '../../../hal/can/messages.js';
import type { CanRole, MessageName, SignalValues } from '../../../hal/can/messages.js';
import type { KcdBus } from '../../../hal/can/socketcan.js';
import { FakeBus } from './fake-bus.js';

const bus = loadKcd();

/** Two codecs, evsed and controller node 3, on one fake bus; what each decodes. */
function pair() {
  const wire = new FakeBus();
  const ends = { evsed: wire.connect('evsed'), controller: wire.connect('controller') };
  const got: Record<CanRole, DecodedMessage[]> = { evsed: [], controller: [] };
  const make = (role: CanRole) => {
    const codec = new CanCodec({
      bus,
      role,
      nodes: [3],
      transmit: (f) => ends[role].send(f),
      onMessage: (m) => void got[role].push(m),
    });
    ends[role].onFrame((f) => codec.receive(f));
    return codec;
  };
  return { wire, got, codecs: { evsed: make('evsed'), controller: make('controller') } };
}

test('the frame table: ids (node 1), lengths and producers', () => {
  assert.equal(
    bus.messages.map(
      (m) => `${m.id.toString(16).padStart(3, '0')} ${m.name} ${m.length} ${MESSAGES[m.name as MessageName].producer}`,
    ),
    [
      '081 ContactorCommand 2 evsed',
      '091 FaultState 3 controller',
      '0b1 ContactorState 2 controller',
      '0c1 PilotState 2 controller',
      '101 OfferCommand 6 evsed',
      '111 OfferAck 6 controller',
      '121 LockCommand 3 evsed',
      '131 LockState 3 controller',
      '141 RcdTestCommand 2 evsed',
      '151 RcdTestResult 3 controller',
      '181 MeterEnergy 7 controller',
      '191 MeterPower 7 controller',
      '1a1 MeterCurrent 8 controller',
      '1b1 MeterVoltage 8 controller',
      '1c1 MeterRequest 1 evsed',
      '1d1 RfidToken 8 controller',
      '700 EvsedHeartbeat 2 evsed',
      '701 ControllerHeartbeat 2 controller',
      '711 ControllerHello 4 controller',
      '721 SyncRequest 1 evsed',
      '731 SyncDone 1 controller',
    ],
  );
  assert.is(checkBus(bus), null);
  assert.match(defaultKcdPath(), /evsed-io\.kcd$/);
});

/** Values of every signal of `name` at raw value `pick(bits, signed)`, in engineering units. */
function valuesOf(name: MessageName, pick: (bits: number, signed: boolean, i: number) => number): SignalValues {
  const message = bus.messages.find((m) => m.name === name)!;
  const values: Record<string, number> = {};
  message.signals.forEach((s, i) => {
    const raw = pick(s.bitLength, s.type === 'signed', i);
    const decimals = String(s.slope).split('.')[1]?.length ?? 0;
    values[s.name] = Number((raw * s.slope + s.intercept).toFixed(decimals));
  });
  return values;
}

const VECTORS: Record<string, (bits: number, signed: boolean, i: number) => number> = {
  maximum: (bits, signed) => (signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1),
  minimum: (bits, signed) => (signed ? -(2 ** (bits - 1)) : 0),
  ordinary: (bits, signed, i) =>
    Math.floor(((i * 7919 + 13) % 2 ** Math.min(bits, 20)) / (signed ? 2 : 1)) - (signed ? 3 : 0),
};

for (const [vector, pick] of Object.entries(VECTORS)) {
  test(`every message survives encode → bus → DatabaseService decode (${vector} values)`, async () => {
    const { got, codecs } = pair();
    const expected: DecodedMessage[] = [];
    for (const name of MESSAGE_NAMES) {
      const shape = MESSAGES[name];
      const values = valuesOf(name, pick);
      codecs[shape.producer].send(3, name, values);
      expected.push({ node: shape.broadcast ? 0 : 3, name, values });
    }
    await Promise.resolve();
    const decoded = [...got.evsed, ...got.controller].sort(
      (a, b) => MESSAGE_NAMES.indexOf(a.name) - MESSAGE_NAMES.indexOf(b.name),
    );
    assert.equal(decoded, expected);
    assert.equal(codecs.evsed.stats(), { received: 14, sent: 7, unknown: 0, malformed: 0, ignored: 0 });
    assert.equal(codecs.controller.stats(), { received: 7, sent: 14, unknown: 0, malformed: 0, ignored: 0 });
  });
}

test('byte layout: little-endian, scaled, node in the low nibble of the id', async () => {
  const { wire, codecs } = pair();
  codecs.evsed.send(3, 'OfferCommand', { Channel: 2, Seq: 7, Current: 16, Duty: 26.7 });
  codecs.controller.send(3, 'MeterPower', { Channel: 1, Seq: 9, Power: -1234, Phases: 3 });
  codecs.evsed.send(3, 'EvsedHeartbeat', { Counter: 255, Timeout: 1.5 });
  codecs.controller.send(3, 'PilotState', { Channel: 1, State: 3 });
  assert.equal(
    wire.wire.map((f) => `${f.id.toString(16)}#${f.data.toString('hex')}`),
    ['103#0207a0000b01', '193#01092efbffff03', '700#ff0f', 'c3#0103'],
  );
});

test('send refuses out-of-range, missing, unknown and wrong-direction values', () => {
  const { codecs } = pair();
  const refuse = (fn: () => void, message: string) =>
    assert.throws(fn, (e: unknown) => e instanceof RangeError && e.message === message);
  refuse(
    () => codecs.evsed.send(3, 'OfferCommand', { Channel: 1, Seq: 1, Current: 6553.6, Duty: 10 }),
    'OfferCommand.Current: 6553.6 A is outside 0..6553.5',
  );
  refuse(
    () => codecs.evsed.send(3, 'OfferCommand', { Channel: 1, Seq: 256, Current: 6, Duty: 10 }),
    'OfferCommand.Seq: 256 is outside 0..255',
  );
  refuse(
    () => codecs.evsed.send(3, 'OfferCommand', { Channel: 1, Seq: 1, Current: 6 }),
    'OfferCommand.Duty: a finite value is required, got undefined',
  );
  refuse(() => codecs.evsed.send(3, 'MeterRequest', { Channel: 1, Extra: 1 }), 'MeterRequest has no signal Extra');
  refuse(
    () => codecs.evsed.send(3, 'PilotState', { Channel: 1, State: 1 }),
    'PilotState is sent by controller, not evsed',
  );
  refuse(() => codecs.evsed.send(4, 'MeterRequest', { Channel: 1 }), 'MeterRequest: node 4 is not configured');
  refuse(
    () => codecs.controller.send(3, 'MeterPower', { Channel: 1, Seq: 1, Power: 2 ** 31, Phases: 1 }),
    'MeterPower.Power: 2147483648 W is outside -2147483648..2147483647',
  );
});

test('the controller role ignores traffic of other nodes and counts it apart', async () => {
  const { wire, got } = pair();
  const other = wire.connect('evsed-to-node-5');
  other.send({ id: 0x105, data: Buffer.from([1, 1, 160, 0, 11, 1]) }); // OfferCommand to node 5
  other.send({ id: 0x0c5, data: Buffer.from([1, 2]) }); // node 5's PilotState, seen by node 3 too
  await Promise.resolve();
  assert.equal(got.controller, []);
  assert.equal(got.evsed, [], 'evsed with node 3 only: node 5 is unknown');
});

test('checkBus names what does not match the driver', () => {
  const variant = (edit: (b: KcdBus) => void): string | null => {
    const copy = structuredClone(bus) as KcdBus;
    edit(copy);
    return checkBus(copy);
  };
  assert.is(
    variant((b) => b.messages.splice(3, 1)),
    'message PilotState is missing',
  );
  assert.is(
    variant((b) => (b.messages[1]!.signals[1]!.bitLength = 40)),
    'FaultState.Rcd is wider than 32 bits',
  );
  assert.is(
    variant((b) => (b.messages[0]!.producers[0]!.id = 2)),
    'ContactorCommand must have exactly one producer, node 1 (evsed)',
  );
  assert.is(
    variant((b) => (b.messages[4]!.id = 0x102)),
    'OfferCommand id 0x102 must end in 1 (node 1)',
  );
  assert.is(
    variant((b) => (b.messages[3]!.signals[1]!.endianess = 'big')),
    'PilotState.State must be little-endian',
  );
  assert.is(
    variant((b) => (b.messages[3]!.signals[1]!.bitOffset = 14)),
    'PilotState.State lies beyond the 2 bytes',
  );
  assert.is(
    variant((b) => (b.messages[3]!.name = 'Pilot')),
    'message Pilot is not known to the driver',
  );
});

test('loadKcd names the file it cannot read', () => {
  assert.throws(
    () => loadKcd('/nonexistent/evsed-io.kcd'),
    (e: unknown) =>
      e instanceof Error && e.message.startsWith('/nonexistent/evsed-io.kcd: cannot be read as a KCD file (ENOENT'),
  );
});

test.run();
