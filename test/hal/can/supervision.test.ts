/**
 * CAN board supervision: heartbeats both ways, a lost controller (controllerLost, contactor
 * reported open), its recovery, a controller reboot (resync), the controller's safety net when
 * evsed's heartbeat stops, several controller nodes. Fake bus, simulated controller, manual clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HalError } from '../../../hal/errors.js';
import { canHarness } from './can-rig.js';
import type { CanHarness } from './can-rig.js';
import { FakeBus } from './fake-bus.js';
import { IoControllerSim } from './io-sim.js';
import { ManualClock } from '../manual-clock.js';
import { createCanBoard } from '../../../hal/can/index.js';
import { simConnectorInfo } from '../../../hal/sim/index.js';

const EVSED_HEARTBEAT = 0x700;
const SYNC_REQUEST_NODE1 = 0x721;
const OFFER_COMMAND_NODE1 = 0x101;

/** Connector 1 charging at 16 A: plugged, offered, requesting, contactor closed. */
async function charging(h: CanHarness): Promise<void> {
  h.sim.plug(1);
  await h.settle(h.hw(1).setOffer(16));
  h.sim.request(1, true);
  await h.advance(10);
  assert.is(h.hw(1).pilot(), 'C');
  await h.settle(h.hw(1).setContactor(true));
  assert.equal(h.hw(1).contactor(), { commanded: true, feedback: true });
}

async function rejection(h: CanHarness, promise: Promise<unknown>): Promise<HalError> {
  try {
    await h.settle(promise);
  } catch (error) {
    assert.instance(error, HalError);
    return error as HalError;
  }
  throw new Error('expected a rejection');
}

test('evsed sends its heartbeat every period with an advancing counter and its timeout', async () => {
  const h = await canHarness();
  const before = h.bus.framesWithId(EVSED_HEARTBEAT, 'evsed').length;
  await h.advance(1000);
  const beats = h.bus.framesWithId(EVSED_HEARTBEAT, 'evsed').slice(before);
  assert.is(beats.length, 10);
  const counters = beats.map((f) => f.data[0]);
  counters.forEach((c, i) => i > 0 && assert.is(c, ((counters[i - 1] ?? 0) + 1) % 256));
  assert.ok(
    beats.every((f) => f.data.length === 2 && f.data[1] === 5),
    'Timeout 0.5 s',
  );
  assert.equal(h.opened, ['vcan0']);
  assert.is(h.sim.evsed, 'alive');
  await h.close();
});

test('a silent controller is lost after the timeout: controllerLost everywhere, contactor reported open', async () => {
  const h = await canHarness();
  await charging(h);
  h.sim.hung = true; // its last heartbeat came at most 100 ms ago
  await h.advance(399);
  assert.equal([...h.hw(1).faults()], [], 'not yet');
  await h.advance(101);
  for (const c of [1, 2]) {
    assert.equal(h.of('hal.faultRaised', c), [
      {
        type: 'hal.faultRaised',
        connector: c,
        code: 'controllerLost',
        detail: 'controller node 1: no heartbeat for 500 ms',
      },
    ]);
    assert.equal([...h.hw(c).faults()], ['controllerLost']);
  }
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false });
  assert.equal(
    h.of('hal.contactorChanged', 1).map((e) => e.closed),
    [true, false],
  );
  assert.equal(h.board.nodes()[0]?.status, 'lost');
  const close = await rejection(h, h.hw(1).setContactor(true));
  assert.is(close.code, 'timeout');
  assert.match(close.message, 'controller node 1 is not answering');
  await h.settle(h.hw(1).setContactor(false)); // opening is always accepted
  assert.is((await rejection(h, h.hw(1).setOffer(10))).code, 'timeout');
  assert.is(h.hw(1).offer(), 10, 'the offer is kept and sent again on recovery');
  await h.close();
});

test('a lost controller that comes back is resynchronised: controllerLost cleared, offer sent again', async () => {
  const h = await canHarness();
  await charging(h);
  h.sim.hung = true;
  await h.advance(600);
  assert.equal([...h.hw(1).faults()], ['controllerLost']);
  const syncsBefore = h.bus.framesWithId(SYNC_REQUEST_NODE1).length;
  const offersBefore = h.bus.framesWithId(OFFER_COMMAND_NODE1).length;
  h.sim.hung = false;
  await h.advance(200);
  assert.is(h.bus.framesWithId(SYNC_REQUEST_NODE1).length, syncsBefore + 1, 'one SyncRequest');
  assert.equal([...h.hw(1).faults()], []);
  assert.equal(h.of('hal.faultCleared', 1), [{ type: 'hal.faultCleared', connector: 1, code: 'controllerLost' }]);
  assert.is(h.board.nodes()[0]?.status, 'online');
  assert.ok(h.bus.framesWithId(OFFER_COMMAND_NODE1).length > offersBefore, 'offer sent again');
  assert.is(h.sim.channel(1).dutyPercent, 26.7, 'the controller has the 16 A duty cycle again');
  // The hung controller kept its relay closed: the sync dump says so (true), and the open
  // command of the resync opens it (false). While lost it was reported open.
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false }, 'the contactor command stays void');
  assert.equal(
    h.of('hal.contactorChanged', 1).map((e) => e.closed),
    [true, false, true, false],
  );
  assert.equal(
    h.of('hal.faultRaised', 1).map((e) => e.code),
    ['controllerLost'],
    'no feedback fault',
  );
  // The statechart decides what happens next; here it opens and closes again.
  await h.settle(h.hw(1).setContactor(false));
  await h.settle(h.hw(1).setContactor(true));
  assert.equal(h.hw(1).contactor(), { commanded: true, feedback: true });
  await h.close();
});

test('a heartbeat whose counter does not advance is no sign of life', async () => {
  const h = await canHarness();
  h.sim.frozenCounter = true;
  await h.advance(600);
  assert.equal([...h.hw(1).faults()], ['controllerLost']);
  assert.ok(h.board.stats().staleHeartbeats >= 4, `stale heartbeats counted (${h.board.stats().staleHeartbeats})`);
  h.sim.frozenCounter = false;
  await h.advance(200);
  assert.equal([...h.hw(1).faults()], []);
  await h.close();
});

test('a controller reboot resynchronises: contactor reported open, offer and lock sent again, no fault', async () => {
  const h = await canHarness();
  await h.settle(h.hw(1).setLock(true));
  await charging(h);
  const syncsBefore = h.sim.syncs;
  h.sim.reboot('watchdog');
  await h.advance(50);
  assert.is(h.sim.syncs, syncsBefore + 1, 'evsed asked for the state once');
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false });
  assert.equal(
    h.of('hal.contactorChanged', 1).map((e) => e.closed),
    [true, false],
  );
  assert.is(h.sim.channel(1).dutyPercent, 26.7, 'offer restored');
  assert.is(h.sim.channel(1).locked, true, 'lock restored');
  assert.is(h.hw(1).pilot(), 'C', 'the EV requests again');
  assert.equal(h.of('hal.faultRaised'), []);
  await h.advance(1000);
  assert.is(h.sim.syncs, syncsBefore + 1, 'no second resync once the controller hears evsed');
  assert.equal(h.board.nodes(), [
    {
      node: 1,
      status: 'online',
      reboots: 1,
      firmware: '1.4',
      helloReason: 'watchdog',
      controllerSeesEvsed: true,
      staleHeartbeats: 0,
    },
  ]);
  await h.close();
});

test('safety net: when evsed falls silent the controller switches PWM off and holds the contactor open', async () => {
  const h = await canHarness();
  await charging(h);
  h.evsedEnd.muted = true; // evsed hangs, as far as the controller can tell
  await h.advance(399); // evsed's last heartbeat went out at most 100 ms ago
  assert.is(h.sim.channel(1).closed, true, 'not yet');
  await h.advance(101 + 20); // + relay travel
  assert.is(h.sim.evsed, 'missing');
  assert.is(h.sim.channel(1).dutyPercent, 100);
  assert.is(h.sim.channel(1).heldOpen, true);
  assert.is(h.sim.channel(1).closed, false);
  // evsed still hears the controller: it sees the contactor open and why.
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false });
  assert.is(h.hw(1).pilot(), 'B');
  assert.equal(
    h.of('hal.faultRaised', 1).map((e) => [e.code, e.detail]),
    [['controllerLost', "controller node 1 does not hear evsed's heartbeat (contactors held open)"]],
  );
  const refused = await rejection(h, h.hw(1).setContactor(true));
  assert.is(refused.code, 'contactorFeedback');
  assert.match(refused.message, 'holds the contactor open');
  assert.is(h.sim.channel(1).closed, false, 'a close command does not pass the safety net');
  h.evsedEnd.muted = false;
  await h.advance(300);
  assert.is(h.sim.evsed, 'alive');
  assert.equal([...h.hw(1).faults()], []);
  assert.is(h.sim.channel(1).dutyPercent, 26.7, 'offer sent again after the resync');
  assert.is(h.hw(1).pilot(), 'C');
  await h.settle(h.hw(1).setContactor(true));
  assert.is(h.sim.channel(1).closed, true);
  await h.close();
});

test('several controller nodes: only the connectors of the silent one are lost', async () => {
  const clock = new ManualClock();
  const bus = new FakeBus();
  const sims = [1, 2].map(
    (node) =>
      new IoControllerSim({
        end: bus.connect(`controller-${node}`),
        node,
        clock,
        channels: [{ channel: 1, phases: 3, nominalVoltageV: 230, hasLock: false, hasRcdTest: false }],
      }),
  );
  const evsedEnd = bus.connect('evsed');
  const board = createCanBoard({
    interface: 'can1',
    connectors: [simConnectorInfo(1, { hasLock: false }), simConnectorInfo(2, { hasLock: false })],
    mapping: [
      { connector: 1, node: 1, channel: 1 },
      { connector: 2, node: 2, channel: 1 },
    ],
    heartbeatPeriodMs: 100,
    heartbeatTimeoutMs: 500,
    clock,
    openChannel: () => evsedEnd,
    onDiagnostic: (d) => assert.unreachable(`diagnostic: ${d.detail}`),
  });
  sims.forEach((s) => s.start());
  await clock.advance(0);
  const started = board.start();
  await clock.advance(0);
  await started;
  assert.equal(
    board.nodes().map((n) => n.status),
    ['online', 'online'],
  );
  assert.ok(bus.framesWithId(0x722).length === 1, 'node 2 gets its SyncRequest at 0x722');
  sims[1]!.hung = true;
  await clock.advance(600);
  assert.equal(
    board.connectors.map((c) => [...c.faults()]),
    [[], ['controllerLost']],
  );
  assert.equal(
    board.nodes().map((n) => n.status),
    ['online', 'lost'],
  );
  const stopped = board.stop();
  await clock.advance(0);
  await stopped;
  sims.forEach((s) => s.stop());
  assert.is(clock.pending(), 0);
});

test('a socket the kernel hangs up is reopened; the controller is lost meanwhile and resynchronised after', async () => {
  const h = await canHarness();
  await charging(h);
  const first = h.evsedEnd;
  h.interfaceDown = true;
  first.hangUp(); // e.g. ip link set can0 down
  await h.advance(2000);
  assert.equal([...h.hw(1).faults()], ['controllerLost']);
  assert.equal(h.hw(1).contactor(), { commanded: false, feedback: false });
  assert.is((await rejection(h, h.hw(1).setOffer(16))).code, 'timeout');
  h.interfaceDown = false;
  await h.advance(1000);
  assert.ok(h.evsedEnd !== first && h.evsedEnd.isOpen(), 'a new socket');
  await h.advance(300);
  assert.equal([...h.hw(1).faults()], []);
  assert.equal(h.board.nodes()[0]?.status, 'online');
  assert.equal(
    h.diagnostics.map((d) => d.detail),
    [
      'network interface does not exist: evsed: the kernel closed the CAN socket',
      'reopening: network interface does not exist: vcan0',
      'vcan0: reopened after 5 attempt(s)', // every 500 ms: 4 failed in 2 s, then one works
    ],
  );
  assert.is(h.opened.length, 1 + 5);
  await h.close();
});

test('start() with no controller on the bus resolves after the timeout with controllerLost', async () => {
  const h = await canHarness({ start: false });
  h.sim.hung = true;
  const startedAtMs = h.clock.now();
  await h.settle(h.board.start());
  assert.ok(h.clock.now() - startedAtMs >= 500, 'after the heartbeat timeout');
  assert.equal([...h.hw(1).faults()], ['controllerLost']);
  h.sim.hung = false;
  await h.advance(200);
  assert.equal([...h.hw(1).faults()], []);
  await h.close();
});

test.run();
