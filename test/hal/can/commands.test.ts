/**
 * CAN board commands: contactor feedback (welded, stuck open, superseded), offer
 * acknowledgement (superseded, refused duty, missing ack), lock, RCD test, meter request, RFID
 * tokens over two frames, send failures, channel errors, stop().
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../../hal/errors.js';
import type { HalErrorCode } from '../../../hal/errors.js';
import { canHarness } from './can-rig.js';
import { scripted } from './scripted.js';

async function rejects(
  settle: <T>(p: Promise<T>) => Promise<T>,
  promise: Promise<unknown>,
  code: HalErrorCode,
): Promise<string> {
  const outcome = promise.then(
    () => null,
    (error: unknown) => error,
  ); // observed from now on, even while time passes
  const error = await settle(outcome);
  if (error === null) throw new Error(`expected a rejection with ${code}`);
  assert.instance(error, HalError);
  assert.is((error as HalError).code, code, (error as HalError).message);
  return (error as HalError).message;
}

test('welded contacts: opening rejects with contactorFeedback and raises contactorWelded; cleared when they open', async () => {
  const h = await canHarness();
  const hw = h.hw(1);
  await h.settle(hw.setContactor(true));
  h.sim.injectContactor(1, 'welded');
  const commandedAtMs = h.clock.now();
  const message = await rejects(h.settle, hw.setContactor(false), 'contactorFeedback');
  assert.is(
    message,
    'contactor feedback does not match the command: connector 1 (node 1 channel 1): feedback reports closed while commanded open',
  );
  assert.ok(h.clock.now() - commandedAtMs >= 500, 'after the feedback deadline');
  assert.equal(hw.contactor(), { commanded: false, feedback: true });
  assert.equal(h.of('hal.faultRaised', 1), [
    {
      type: 'hal.faultRaised',
      connector: 1,
      code: 'contactorWelded',
      detail: 'feedback reports closed while commanded open',
    },
  ]);
  h.sim.injectContactor(1, 'none');
  await h.advance(50);
  assert.equal(hw.contactor(), { commanded: false, feedback: false });
  assert.equal(h.of('hal.faultCleared', 1), [{ type: 'hal.faultCleared', connector: 1, code: 'contactorWelded' }]);
  assert.equal([...hw.faults()], []);
  await h.close();
});

test('contacts stuck open: closing rejects with contactorFeedback and raises contactorStuckOpen', async () => {
  const h = await canHarness();
  h.sim.injectContactor(1, 'stuckOpen');
  await rejects(h.settle, h.hw(1).setContactor(true), 'contactorFeedback');
  assert.equal([...h.hw(1).faults()], ['contactorStuckOpen']);
  await h.settle(h.hw(1).setContactor(false));
  assert.equal([...h.hw(1).faults()], [], 'cleared once the command and the feedback agree');
  await h.close();
});

test('contacts that close by themselves are reported welded after the deadline', async () => {
  const s = await scripted();
  s.send('ContactorState', { Channel: 1, Closed: 1, Driven: 0, HeldOpen: 0 });
  await s.advance(499);
  assert.equal([...s.board.connectors[0]!.faults()], []);
  await s.advance(1);
  assert.equal([...s.board.connectors[0]!.faults()], ['contactorWelded']);
  await s.close();
});

test('a newer contactor command supersedes one waiting for feedback', async () => {
  const h = await canHarness();
  const closing = h.hw(1).setContactor(true);
  const opening = h.hw(1).setContactor(false);
  const message = await rejects(h.settle, closing, 'contactorFeedback');
  assert.match(message, 'superseded by setContactor(false)');
  await h.settle(opening);
  assert.equal(h.of('hal.faultRaised'), []);
  await h.close();
});

test('offers: acked by Seq; an older one resolves with a newer ack; a different duty is badReply; no ack is timeout', async () => {
  const s = await scripted();
  const hw = s.board.connectors[0]!;
  const first = hw.setOffer(10);
  const second = hw.setOffer(16);
  await s.advance(0);
  const commands = s.sent('OfferCommand').slice(-2);
  assert.equal(commands, [
    { Channel: 1, Seq: commands[0]?.Seq ?? -1, Current: 10, Duty: 16.7 },
    { Channel: 1, Seq: (commands[0]?.Seq ?? -1) + 1, Current: 16, Duty: 26.7 },
  ]);
  s.send('OfferAck', { ...commands[1]! });
  await s.advance(0);
  await first;
  await second;
  assert.is(hw.offer(), 16);
  const refused = hw.setOffer(32);
  await s.advance(0);
  const cmd = s.sent('OfferCommand').at(-1)!;
  s.send('OfferAck', { ...cmd, Duty: 26.7 });
  const settle = async <T>(p: Promise<T>) => {
    await s.advance(0);
    return p;
  };
  assert.is(
    await rejects(settle, refused, 'badReply'),
    'device answered with a malformed or negative reply: connector 1 (node 1 channel 1): controller set 26.7 % instead of 53.3 %',
  );
  const unanswered = hw.setOffer(6);
  const late = async <T>(p: Promise<T>) => {
    await s.advance(500);
    return p;
  };
  assert.is(
    await rejects(late, unanswered, 'timeout'),
    'device did not answer in time: connector 1 (node 1 channel 1): no OfferAck within 500 ms',
  );
  await s.close();
});

test('lock: result from the mechanism, failed when it does not move; notSupported without a lock', async () => {
  const h = await canHarness();
  assert.is(await h.settle(h.hw(1).setLock(true)), 'locked');
  h.sim.channel(1).lockFailing = true;
  assert.is(await h.settle(h.hw(1).setLock(false)), 'failed');
  assert.is(h.hw(1).locked(), true);
  assert.equal(
    h.of('hal.lockChanged', 1).map((e) => e.locked),
    [true],
  );
  await rejects(h.settle, h.hw(2).setLock(true), 'notSupported');
  await h.close();
});

test('RCD test: true when it trips, false when it does not, timeout without an answer', async () => {
  const h = await canHarness();
  assert.is(await h.settle(h.hw(1).testRcd()), true);
  h.sim.channel(1).rcdFailing = true;
  assert.is(await h.settle(h.hw(1).testRcd()), false);
  await h.close();
  const s = await scripted({ actuatorTimeoutMs: 800 });
  const unanswered = s.board.connectors[0]!.testRcd();
  const wait = async <T>(p: Promise<T>) => {
    await s.advance(800);
    return p;
  };
  assert.match(await rejects(wait, unanswered, 'timeout'), 'no RCD test result within 800 ms');
  await s.close();
});

test('readMeter asks the controller and resolves with the fresh reading', async () => {
  const h = await canHarness({ sim: { meterPeriodMs: 60_000 } });
  h.sim.plug(2, { maxCurrentA: 16, phases: 1 });
  await h.settle(h.hw(2).setOffer(16));
  h.sim.request(2, true);
  await h.settle(h.hw(2).setContactor(true));
  await h.advance(3600); // 3.6 s at 16 A × 230 V = 3.68 Wh
  const askedAtMs = h.clock.now();
  const reading = await h.settle(h.hw(2).readMeter());
  assert.equal(reading, { energyWh: 3, powerW: 3680, currentA: [16], voltageV: [230], timestampMs: askedAtMs });
  assert.equal(h.hw(2).meter(), reading);
  await h.close();
});

test('RFID: a 10-byte UID in two frames, at the shared reader and at a connector', async () => {
  const h = await canHarness();
  h.sim.swipe('04A1B2C3D4E5F60718293A');
  h.sim.swipe('CAFEBABE', 2);
  await h.advance(0);
  assert.equal(h.of('hal.rfid'), [
    { type: 'hal.rfid', connector: 0, token: '04A1B2C3D4E5F60718293A' },
    { type: 'hal.rfid', connector: 2, token: 'CAFEBABE' },
  ]);
  await h.close();
});

test('a frame the channel does not take: the command rejects with it, counted and reported', async () => {
  const h = await canHarness();
  h.evsedEnd.failSends = true;
  assert.match(await rejects(h.settle, h.hw(1).setOffer(16), 'timeout'), 'not queued');
  assert.is(h.hw(1).offer(), 16);
  assert.is(h.board.stats().sendErrors, 1);
  assert.equal(
    h.diagnostics.map((d) => [d.kind, d.code]),
    [['send', 'timeout']],
  );
  await h.advance(100); // the heartbeat fails too, reported, never thrown
  assert.is(h.board.stats().sendErrors, 2);
  h.evsedEnd.failSends = false;
  await h.close();
});

test('channel errors (error frames) are counted and reported', async () => {
  const h = await canHarness();
  h.evsedEnd.injectError(new HalError('badReply', 'vcan0: CAN error frame: bus-off (class 0x040)'));
  assert.is(h.board.stats().busErrors, 1);
  assert.equal(h.diagnostics, [
    {
      kind: 'channel',
      detail: 'device answered with a malformed or negative reply: vcan0: CAN error frame: bus-off (class 0x040)',
      code: 'badReply',
    },
  ]);
  await h.close();
});

test('stop(): PWM off and contactor open at the controller, channel closed, commands rejected', async () => {
  const h = await canHarness();
  h.sim.plug(1);
  await h.settle(h.hw(1).setOffer(16));
  h.sim.request(1, true);
  await h.settle(h.hw(1).setContactor(true));
  await h.settle(h.board.stop());
  assert.is(h.sim.channel(1).dutyPercent, 100);
  assert.is(h.sim.channel(1).closed, false);
  assert.is(h.evsedEnd.isOpen(), false);
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false });
  await rejects(h.settle, h.hw(1).setOffer(16), 'stopped');
  await rejects(h.settle, h.board.start(), 'stopped');
  await h.close();
});

test('stop() with welded contacts raises contactorWelded and still finishes', async () => {
  const h = await canHarness();
  await h.settle(h.hw(1).setContactor(true));
  h.sim.injectContactor(1, 'welded');
  await h.settle(h.board.stop());
  assert.equal(
    h.of('hal.faultRaised', 1).map((e) => e.code),
    ['contactorWelded'],
  );
  assert.is(h.evsedEnd.isOpen(), false);
  await h.close();
});

test('start() fails with the channel error and may be retried', async () => {
  let attempts = 0;
  const h = await canHarness({
    start: false,
    board: {
      openChannel: () => {
        attempts++;
        throw new HalError('interfaceMissing', 'vcan0');
      },
    },
  });
  await rejects(h.settle, h.board.start(), 'interfaceMissing');
  await rejects(h.settle, h.board.start(), 'interfaceMissing');
  assert.is(attempts, 2);
  await h.close();
});

test.run();
