/**
 * The channel contract: the fake bus keeps SocketCAN's semantics; SocketCanChannel opens the
 * real socketcan raw channel (here a missing interface must give HalError 'interfaceMissing'
 * naming it — this machine has no CAN in its kernel, which is what socketcan reports as
 * "Error while creating channel"), checks every send, and turns error frames and a hung-up
 * socket into HalErrors (with a stand-in for the native channel).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HalError } from '../../../hal/errors.js';
import { SocketCanChannel, checkFrame } from '../../../hal/can/channel.js';
import type { CanFrame, SocketCanDeps } from '../../../hal/can/channel.js';
import { createCanBoard } from '../../../hal/can/index.js';
import { TEST_CONNECTORS } from './can-rig.js';
import { FakeBus } from './fake-bus.js';

function halError(fn: () => unknown): HalError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, HalError);
    return error as HalError;
  }
  throw new Error('expected a HalError');
}

test('fake bus: every other end receives, in order, asynchronously, its own copy; never the sender', async () => {
  const bus = new FakeBus();
  const [a, b, c] = [bus.connect('a'), bus.connect('b'), bus.connect('c')];
  const got: Record<string, string[]> = { a: [], b: [], c: [] };
  for (const [name, end] of Object.entries({ a, b, c }))
    end.onFrame((f) => got[name]!.push(`${f.id}:${f.data.toString('hex')}`));
  const data = Buffer.from([1, 2]);
  a.send({ id: 1, data });
  data[0] = 9; // the sender's buffer is not shared
  b.send({ id: 2, data: Buffer.alloc(0) });
  a.send({ id: 3, data: Buffer.from([0xff]) });
  assert.equal(got, { a: [], b: [], c: [] }, 'nothing during send');
  await Promise.resolve();
  assert.equal(got, { a: ['2:'], b: ['1:0102', '3:ff'], c: ['1:0102', '2:', '3:ff'] });
  c.close();
  a.send({ id: 4, data: Buffer.alloc(0) });
  await Promise.resolve();
  assert.equal(got.c, ['1:0102', '2:', '3:ff'], 'a closed end receives nothing');
  assert.is(halError(() => c.send({ id: 5, data: Buffer.alloc(0) })).code, 'stopped');
});

test('frames are checked: 11-bit ids (29-bit with ext), at most 8 data bytes', () => {
  const bad: CanFrame[] = [
    { id: 0x800, data: Buffer.alloc(0) },
    { id: -1, data: Buffer.alloc(0) },
    { id: 0x2000_0000, ext: true, data: Buffer.alloc(0) },
    { id: 1.5, data: Buffer.alloc(0) },
    { id: 1, data: Buffer.alloc(9) },
  ];
  for (const frame of bad) assert.throws(() => checkFrame(frame), RangeError);
  checkFrame({ id: 0x7ff, data: Buffer.alloc(8) });
  checkFrame({ id: 0x1fff_ffff, ext: true, data: Buffer.alloc(0) });
});

test('SocketCanChannel on an interface that does not exist: HalError interfaceMissing naming it (real socketcan)', () => {
  const error = halError(() => SocketCanChannel.open('evsed-nocan0'));
  assert.is(error.code, 'interfaceMissing');
  assert.is(error.message, 'network interface does not exist: evsed-nocan0');
  assert.is(error.recoverable, false);
  assert.is((error.cause as Error).message, 'Error while creating channel', 'what socketcan 4.0.7 throws');
});

test('the CAN board on that interface: start() rejects with the same HalError, stop() still works', async () => {
  const board = createCanBoard({ interface: 'evsed-nocan0', connectors: TEST_CONNECTORS });
  try {
    await board.start();
    assert.unreachable('start() should reject');
  } catch (error) {
    assert.instance(error, HalError);
    assert.is((error as HalError).code, 'interfaceMissing');
    assert.is((error as HalError).message, 'network interface does not exist: evsed-nocan0');
  }
  await board.stop();
  await board.connectors[0]!.setOffer(10).then(
    () => assert.unreachable('commands after stop() reject'),
    (error: unknown) => assert.is((error as HalError).code, 'stopped'),
  );
});

test('SocketCanChannel on a network interface that is not CAN (lo): interfaceMissing saying so', () => {
  const error = halError(() => SocketCanChannel.open('lo'));
  assert.is(error.code, 'interfaceMissing');
  assert.is(error.message, 'network interface does not exist: lo is not a CAN interface (link type 772)');
});

test('SocketCanChannel refuses names that cannot be interfaces', () => {
  for (const name of ['', 'a/b', '..', 'can 0', 'a-very-long-interface-name']) {
    const error = halError(() => SocketCanChannel.open(name));
    assert.is(error.code, 'interfaceMissing');
    assert.is(error.message, `network interface does not exist: ${JSON.stringify(name)} is not a valid interface name`);
  }
});

/** A stand-in for socketcan's native RawChannel. */
function fakeNative(sendResult: () => unknown) {
  const listeners: Record<string, ((arg?: unknown) => void)[]> = { onMessage: [], onStopped: [] };
  const calls: string[] = [];
  const sent: unknown[] = [];
  const raw = {
    addListener: (event: string, fn: (arg?: unknown) => void) => void listeners[event]?.push(fn),
    start: () => void calls.push('start'),
    stop: () => {
      calls.push('stop');
      for (const fn of listeners.onStopped ?? []) fn();
    },
    send: (message: unknown) => {
      sent.push(message);
      return sendResult();
    },
  };
  const deps = { socketcan: { createRawChannelWithOptions: () => raw } } as unknown as SocketCanDeps;
  const emit = (event: string, arg?: unknown) => listeners[event]?.forEach((fn) => fn(arg));
  return { deps, calls, sent, emit };
}

test('SocketCanChannel sends without blocking and checks what the socket took', () => {
  let result: unknown = 16;
  const native = fakeNative(() => result);
  const channel = SocketCanChannel.open('can0', native.deps);
  assert.equal(native.calls, ['start']);
  channel.send({ id: 0x081, data: Buffer.from([1, 1]) });
  assert.equal(native.sent, [{ id: 0x081, ext: false, rtr: false, data: Buffer.from([1, 1]) }]);
  result = -1;
  const error = halError(() => channel.send({ id: 0x081, data: Buffer.from([1, 0]) }));
  assert.is(error.code, 'timeout');
  assert.is(
    error.message,
    'device did not answer in time: can0: frame 0x081 not queued (send returned -1: transmit queue full, interface down or bus-off)',
  );
  channel.close();
  channel.close();
  assert.equal(native.calls, ['start', 'stop'], 'stopped once');
  assert.is(halError(() => channel.send({ id: 1, data: Buffer.alloc(0) })).code, 'stopped');
});

test('SocketCanChannel: frames to listeners, error frames and a hung-up socket to error listeners; a throwing listener is reported', async () => {
  const native = fakeNative(() => 16);
  const channel = SocketCanChannel.open('can0', native.deps);
  const frames: CanFrame[] = [];
  const errors: string[] = [];
  channel.onFrame((f) => frames.push(f));
  channel.onFrame(() => {
    throw new Error('listener bug');
  });
  channel.onError((e) => errors.push(`${e.code}: ${e.message}`));
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  native.emit('onMessage', { id: 0x0c1, data: Buffer.from([1, 2]) });
  native.emit('onMessage', { id: 0x060, err: true, data: Buffer.alloc(8) });
  native.emit('onStopped');
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  assert.equal(frames, [{ id: 0x0c1, ext: false, rtr: false, data: Buffer.from([1, 2]) }]);
  assert.equal(errors, [
    'badReply: device answered with a malformed or negative reply: can0: CAN error frame: no acknowledgement, bus-off (class 0x060)',
    'interfaceMissing: network interface does not exist: can0: the kernel closed the CAN socket',
  ]);
  assert.equal(warnings, ['CAN frame listener threw: listener bug']);
  assert.is(channel.isOpen(), false);
  channel.close();
  assert.equal(native.calls, ['start'], 'no stop() on a channel the kernel already stopped');
});

test('an interface that exists and is CAN but cannot be opened: portUnavailable', () => {
  const sys = mkdtempSync(path.join(tmpdir(), 'evsed-sysnet-'));
  mkdirSync(path.join(sys, 'can7'));
  writeFileSync(path.join(sys, 'can7', 'type'), '280\n');
  const deps: SocketCanDeps = {
    sysClassNet: sys,
    socketcan: {
      createRawChannelWithOptions: () => {
        throw new Error('Error while creating channel');
      },
    },
  };
  const error = halError(() => SocketCanChannel.open('can7', deps));
  rmSync(sys, { recursive: true });
  assert.is(error.code, 'portUnavailable');
  assert.match(
    error.message,
    'CAN interface can7 exists but its raw socket cannot be opened (socketcan: Error while creating channel',
  );
});

test.run();
