/**
 * The CAN driver on a real SocketCAN interface — runs only when TEST_CAN_IFACE names one
 * (e.g. `sudo ip link add vcan0 type vcan && sudo ip link set vcan0 up`, then
 * `TEST_CAN_IFACE=vcan0`); otherwise it reports itself as skipped.
 *
 * With an interface: two SocketCanChannels exchange frames (in order, both ways, never to the
 * sender), and the HAL contract suite runs against the CAN board on one socket talking to the
 * simulated I/O controller on another, in real time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../../hal/errors.js';
import { SocketCanChannel } from '../../../hal/can/channel.js';
import type { CanFrame } from '../../../hal/can/channel.js';
import { runHalContract } from '../contract.js';
import { makeRealTimeRig } from './can-rig.js';

const iface = process.env.TEST_CAN_IFACE;

if (!iface) {
  test.skip('SocketCanChannel on a real CAN interface (skipped: TEST_CAN_IFACE is not set)', () => undefined);
  test.run();
} else {
  const until = async (what: string, done: () => boolean): Promise<void> => {
    for (let waitedMs = 0; !done(); waitedMs += 5) {
      if (waitedMs > 2000) assert.unreachable(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  test(`two SocketCanChannels on ${iface} exchange frames in order, both ways, never to the sender`, async () => {
    const a = SocketCanChannel.open(iface);
    const b = SocketCanChannel.open(iface);
    const atA: CanFrame[] = [];
    const atB: CanFrame[] = [];
    a.onFrame((f) => atA.push(f));
    b.onFrame((f) => atB.push(f));
    try {
      for (let i = 0; i < 50; i++) a.send({ id: 0x0c1, data: Buffer.from([i, 2]) });
      b.send({ id: 0x1fffffff, ext: true, data: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) });
      await until('50 frames at b', () => atB.length >= 50);
      await until('1 frame at a', () => atA.length >= 1);
      assert.equal(
        atB.map((f) => f.data[0]),
        [...Array(50).keys()],
      );
      assert.ok(atB.every((f) => f.id === 0x0c1 && !f.ext && !f.rtr && f.data.length === 2));
      assert.equal(atA, [{ id: 0x1fffffff, ext: true, rtr: false, data: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) }]);
    } finally {
      a.close();
      b.close();
    }
    assert.throws(
      () => a.send({ id: 1, data: Buffer.alloc(0) }),
      (e: unknown) => e instanceof HalError && e.code === 'stopped',
    );
  });

  test.run();
  runHalContract(`can on ${iface} (SocketCAN, simulated I/O controller, real time)`, () =>
    makeRealTimeRig(iface, () => SocketCanChannel.open(iface)),
  );
}
