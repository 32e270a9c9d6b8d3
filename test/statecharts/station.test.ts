/**
 * Station statechart: registration (R-B1 … R-B6, R-B9), heartbeat (R-B10) and the rule that
 * nothing but the registration request leaves before acceptance, checked over all paths.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, SimulatedClock, transition, type SnapshotFrom } from 'xstate';
import { getAdjacencyMap } from '@xstate/graph';
import { stationMachine, type StationEmitted, type StationEvent, type StationInput } from '../../statecharts/station.js';

const INPUT: StationInput = { heartbeatIntervalS: 300, bootRetryS: 60 };
type Snap = SnapshotFrom<typeof stationMachine>;

function start(input: Partial<StationInput> = {}) {
  const clock = new SimulatedClock();
  const log: string[] = [];
  const actor = createActor(stationMachine, { input: { ...INPUT, ...input }, clock });
  actor.on('*', (e) => log.push((e as StationEmitted).type));
  actor.start();
  const state = () => JSON.stringify(actor.getSnapshot().value).replace(/"/g, '');
  return { actor, clock, log, state };
}

test('R-B1/R-B3 - link up sends the registration; Accepted adopts the interval and starts heartbeats', () => {
  const { actor, clock, log, state } = start();
  assert.is(state(), 'offline');
  assert.equal(log, []);
  actor.send({ type: 'link.up' });
  assert.equal(log.splice(0), ['station.sendBoot']);
  actor.send({ type: 'boot.accepted', intervalS: 30 });
  assert.equal(log.splice(0), ['station.registered']);
  assert.is(actor.getSnapshot().context.heartbeatIntervalS, 30);
  clock.increment(29_999);
  assert.equal(log, []);
  clock.increment(1);
  assert.equal(log.splice(0), ['station.sendHeartbeat']);
  clock.increment(30_000);
  assert.equal(log.splice(0), ['station.sendHeartbeat']);
});

test('R-B10 - any exchange postpones the heartbeat; interval 0 from Accepted keeps the old one', () => {
  const { actor, clock, log } = start({ heartbeatIntervalS: 50 });
  actor.send({ type: 'link.up' });
  actor.send({ type: 'boot.accepted', intervalS: 0 });
  log.splice(0);
  assert.is(actor.getSnapshot().context.heartbeatIntervalS, 50);
  clock.increment(40_000);
  actor.send({ type: 'link.activity' });
  clock.increment(40_000);
  assert.equal(log, []);
  clock.increment(10_000);
  assert.equal(log, ['station.sendHeartbeat']);
});

test('R-B4 - Pending: nothing sent until the interval passes, then register again; a trigger registers at once', () => {
  const { actor, clock, log, state } = start();
  actor.send({ type: 'link.up' });
  actor.send({ type: 'boot.pending', intervalS: 20 });
  log.splice(0);
  assert.is(state(), 'pending');
  clock.increment(19_999);
  assert.equal(log, []);
  clock.increment(1);
  assert.equal(log.splice(0), ['station.sendBoot']);
  actor.send({ type: 'boot.pending', intervalS: 20 });
  actor.send({ type: 'boot.trigger' });
  assert.equal(log.splice(0), ['station.sendBoot']);
});

test('R-B5 - Rejected: silent until the interval passes; a trigger does not shorten it', () => {
  const { actor, clock, log, state } = start();
  actor.send({ type: 'link.up' });
  actor.send({ type: 'boot.rejected', intervalS: 100 });
  log.splice(0);
  actor.send({ type: 'boot.trigger' });
  clock.increment(99_000);
  assert.is(state(), 'rejected');
  assert.equal(log, []);
  clock.increment(1_000);
  assert.equal(log, ['station.sendBoot']);
});

test('R-B6 - interval 0 on Pending/Rejected does not flood: at least 10 s between attempts', () => {
  const { actor, clock, log } = start({ bootRetryS: 0 });
  actor.send({ type: 'link.up' });
  actor.send({ type: 'boot.pending', intervalS: 0 });
  log.splice(0);
  clock.increment(9_999);
  assert.equal(log, []);
  clock.increment(1);
  assert.equal(log, ['station.sendBoot']);
});

test('registration that fails (error, timeout) is retried after bootRetryS', () => {
  const { actor, clock, log } = start();
  actor.send({ type: 'link.up' });
  actor.send({ type: 'boot.failed' });
  log.splice(0);
  clock.increment(59_999);
  assert.equal(log, []);
  clock.increment(1);
  assert.equal(log, ['station.sendBoot']);
});

test('R-B9 - reconnect after acceptance does not register again; a restart (new actor) does', () => {
  const { actor, log, state } = start();
  actor.send({ type: 'link.up' });
  actor.send({ type: 'boot.accepted', intervalS: 60 });
  actor.send({ type: 'link.down' });
  assert.is(state(), 'offline');
  log.splice(0);
  actor.send({ type: 'link.up' });
  assert.equal(log, ['station.online']);
  assert.is(state(), '{accepted:idle}');
});

test('link lost while waiting for the registration answer: register again on the next link', () => {
  const { actor, log } = start();
  actor.send({ type: 'link.up' });
  actor.send({ type: 'link.down' });
  actor.send({ type: 'link.up' });
  assert.equal(log, ['station.sendBoot', 'station.sendBoot']);
});

test('R-B2 - over all paths: no heartbeat before acceptance, registration only sent from offline/pending/rejected/retry', () => {
  const events: StationEvent[] = [
    { type: 'link.up' },
    { type: 'link.down' },
    { type: 'link.activity' },
    { type: 'boot.accepted', intervalS: 10 },
    { type: 'boot.pending', intervalS: 10 },
    { type: 'boot.rejected', intervalS: 10 },
    { type: 'boot.failed' },
    { type: 'boot.trigger' },
    { type: 'cmd.setHeartbeatInterval', intervalS: 5 },
    { type: 'cmd.setOperative', operative: false },
    ...['xstate.after.retry.station.pending', 'xstate.after.retry.station.rejected', 'xstate.after.bootRetry.station.bootRetryWait', 'xstate.after.heartbeat.station.accepted.idle'].map(
      (type) => ({ type }) as unknown as StationEvent,
    ),
  ];
  // @xstate/graph's declared types lag behind xstate's; the logic object is what it expects.
  const adjacency = getAdjacencyMap(stationMachine as unknown as Parameters<typeof getAdjacencyMap>[0], {
    input: INPUT,
    events,
    serializeState: (s) => JSON.stringify([(s as Snap).value, (s as Snap).context]),
  });
  let edges = 0;
  for (const entry of Object.values(adjacency)) {
    const from = entry.state as Snap;
    for (const { event } of Object.values(entry.transitions) as Array<{ event: StationEvent }>) {
      const [, actions] = transition(stationMachine, from, event);
      const sent = (actions as ReadonlyArray<{ type: string; params?: unknown }>)
        .filter((a) => a.type === 'xstate.emit')
        .map((a) => (a.params as { event: StationEmitted }).event.type);
      if (sent.includes('station.sendHeartbeat')) assert.ok(from.matches('accepted'), 'heartbeat before acceptance');
      if (!from.context.registered) assert.not.ok(sent.includes('station.sendHeartbeat'));
      if (sent.includes('station.sendBoot')) {
        const allowed = ['offline', 'pending', 'rejected', 'bootRetryWait', 'accepted'] as const;
        assert.ok(allowed.some((v) => from.matches(v)));
      }
      edges += 1;
    }
  }
  assert.ok(edges > 50, `only ${edges} edges`);
});

test.run();
