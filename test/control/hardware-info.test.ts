/**
 * `hw info` rows from each driver's own diagnostics: the CAN board on the fake bus (channel
 * counters, node online / lost), the simulated board. The serial rows are checked end to end in
 * test/e2e/hardware/serial.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimBoard } from '../../hal/sim/index.js';
import { describeHardware } from '../../src/control/hardware-info.js';
import { canHarness } from '../hal/can/can-rig.js';
import { TEST_CONNECTORS } from '../hal/can/can-rig.js';

test('can: the channel with its frame counters, every node with its state, firmware and heartbeat view', async () => {
  const h = await canHarness();
  try {
    await h.advance(500);
    const info = describeHardware(h.board, 'can0');
    assert.is(info.driver, 'can');
    const channel = info.devices.find((d) => d.kind === 'channel')!;
    assert.is(channel.name, 'can0');
    assert.ok((channel.counters.received ?? 0) > 0 && (channel.counters.sent ?? 0) > 0, JSON.stringify(channel.counters));
    const node = info.devices.find((d) => d.kind === 'node')!;
    assert.is(node.name, 'node 1');
    assert.is(node.state, 'online');
    assert.match(node.detail, /hears evsed/);
    assert.not.match(node.detail, /does not hear/);

    h.sim.stop(); // the controller goes quiet
    await h.advance(2000);
    const lost = describeHardware(h.board, 'can0').devices.find((d) => d.kind === 'node')!;
    assert.is(lost.state, 'lost');
  } finally {
    await h.close();
  }
});

test('sim: one row for the simulated board', async () => {
  const board = createSimBoard({ connectors: TEST_CONNECTORS });
  const info = describeHardware(board);
  assert.equal(info, {
    driver: 'sim',
    devices: [{ kind: 'board', name: 'sim board', state: 'running', detail: `${TEST_CONNECTORS.length} connector(s), no physical devices`, counters: {} }],
  });
});

test.run();
