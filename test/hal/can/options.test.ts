/**
 * Options of the CAN board: defaults, and every refusal naming the option at fault.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAN_DEFAULTS, createCanBoard } from '../../../hal/can/index.js';
import type { CanBoardOptions } from '../../../hal/can/index.js';
import { resolveCanOptions } from '../../../hal/can/options.js';
import { TEST_CONNECTORS } from './can-rig.js';

const base: CanBoardOptions = { interface: 'can0', connectors: TEST_CONNECTORS };

test('defaults: node 1, channels in configuration order, 200 / 1000 / 500 / 3000 ms', () => {
  const r = resolveCanOptions(base);
  assert.equal(
    r.connectors.map((c) => [c.info.id, c.node, c.channel]),
    [
      [1, 1, 1],
      [2, 1, 2],
    ],
  );
  assert.equal(r.nodes, [1]);
  assert.equal(CAN_DEFAULTS, {
    heartbeatPeriodMs: 200,
    heartbeatTimeoutMs: 1000,
    ackTimeoutMs: 500,
    actuatorTimeoutMs: 3000,
  });
  assert.equal(
    [r.heartbeatPeriodMs, r.heartbeatTimeoutMs, r.ackTimeoutMs, r.actuatorTimeoutMs],
    [200, 1000, 500, 3000],
  );
});

test('creating a board opens nothing: the interface is opened by start()', () => {
  const board = createCanBoard({ ...base, interface: 'nosuchcan9' });
  assert.is(board.driver, 'can');
  assert.equal(
    board.connectors.map((c) => c.info.id),
    [1, 2],
  );
});

test('bad options are refused with a RangeError naming the option', () => {
  const cases: [Partial<CanBoardOptions>, string][] = [
    [
      { interface: '' },
      'can option interface must be a network interface name (1..15 characters, no / or space), got ""',
    ],
    [
      { interface: 'can/0' },
      'can option interface must be a network interface name (1..15 characters, no / or space), got "can/0"',
    ],
    [{ connectors: [] }, 'can option connectors must list at least one connector'],
    [
      { connectors: [TEST_CONNECTORS[0]!, TEST_CONNECTORS[0]!] },
      'can option connectors[id=1]: id must be a distinct positive integer',
    ],
    [{ heartbeatPeriodMs: 0 }, 'can option heartbeatPeriodMs must be a positive number of ms, got 0'],
    [
      { heartbeatTimeoutMs: 300 },
      'can option heartbeatTimeoutMs must be within 2 × heartbeatPeriodMs (400)..25500 ms, got 300',
    ],
    [
      { heartbeatTimeoutMs: 30_000 },
      'can option heartbeatTimeoutMs must be within 2 × heartbeatPeriodMs (400)..25500 ms, got 30000',
    ],
    [{ ackTimeoutMs: Number.NaN }, 'can option ackTimeoutMs must be a positive number of ms, got NaN'],
    [{ actuatorTimeoutMs: -1 }, 'can option actuatorTimeoutMs must be a positive number of ms, got -1'],
    [{ mapping: [{ connector: 1, node: 1, channel: 1 }] }, 'can option mapping: connector 2 is not mapped'],
    [{ mapping: [{ connector: 3, node: 1, channel: 1 }] }, 'can option mapping[0].connector: no connector 3'],
    [
      {
        mapping: [
          { connector: 1, node: 16, channel: 1 },
          { connector: 2, node: 1, channel: 2 },
        ],
      },
      'can option mapping[0].node must be an integer within 1..15, got 16',
    ],
    [
      {
        mapping: [
          { connector: 1, node: 1, channel: 0 },
          { connector: 2, node: 1, channel: 2 },
        ],
      },
      'can option mapping[0].channel must be an integer within 1..15, got 0',
    ],
    [
      {
        mapping: [
          { connector: 1, node: 2, channel: 1 },
          { connector: 2, node: 2, channel: 1 },
        ],
      },
      'can option mapping[1]: node 2 channel 1 is used twice',
    ],
    [
      {
        mapping: [
          { connector: 1, node: 2, channel: 1 },
          { connector: 1, node: 2, channel: 2 },
        ],
      },
      'can option mapping[1].connector: connector 1 is mapped twice',
    ],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => createCanBoard({ ...base, ...options }),
      (e: unknown) => e instanceof RangeError && e.message === message,
      message,
    );
  }
  assert.throws(
    () => createCanBoard({ ...base, kcdPath: '/nonexistent.kcd' }),
    (e: unknown) =>
      e instanceof RangeError &&
      e.message.startsWith('can option kcdPath: /nonexistent.kcd: cannot be read as a KCD file (ENOENT'),
  );
});

test.run();
