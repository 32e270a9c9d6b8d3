/**
 * Connector statechart: safety invariants over every reachable state and transition, plus
 * hand-written session scenarios.
 *
 * The reachable graph is walked breadth-first with xstate's pure `transition()` over a finite
 * event alphabet (every pilot state, two faults, authorization, limits, availability,
 * reservation, configuration and the connection timeout). Every edge is kept with the hardware
 * commands it emits, so the checks see the commands, not only the resulting context. Each
 * state's shortest path is replayed on a live actor to show hardware follows the commands.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, initialTransition, SimulatedClock, transition, type SnapshotFrom } from 'xstate';
import {
  connectorMachine,
  contactorMayClose,
  type ConnectorEmitted,
  type ConnectorEvent,
  type ConnectorInput,
} from '../../statecharts/connector.js';

type Snap = SnapshotFrom<typeof connectorMachine>;

const INPUT: ConnectorInput = { connector: 1, maxCurrentA: 32, connectionTimeoutMs: 60_000 };
const TIMEOUT_EVENT = 'xstate.after.connectionTimeout.connector.preparing.authorized';

const ALPHABET: ConnectorEvent[] = [
  ...(['A', 'B', 'C', 'D', 'E', 'F'] as const).map((state) => ({ type: 'hal.cpChanged', state }) as const),
  { type: 'hal.faultRaised', code: 'rcd' },
  { type: 'hal.faultCleared', code: 'rcd' },
  { type: 'hal.faultRaised', code: 'overTemperature' },
  { type: 'hal.faultCleared', code: 'overTemperature' },
  { type: 'auth.accepted' },
  { type: 'auth.ended' },
  { type: 'cmd.setLimit', currentA: 0 },
  { type: 'cmd.setLimit', currentA: 16 },
  { type: 'cmd.setLimit', currentA: 100 },
  { type: 'cmd.setOperative', operative: false },
  { type: 'cmd.setOperative', operative: true },
  { type: 'cmd.reserve' },
  { type: 'cmd.unreserve' },
  { type: 'cmd.configure', unplugEndsSession: false },
  { type: 'cmd.configure', unplugEndsSession: true },
];
// The delayed event is internal; the walk sends it like any other (ignored where no timer runs).
const EVENTS = [...ALPHABET, { type: TIMEOUT_EVENT } as unknown as ConnectorEvent];

function serialize(s: Snap): string {
  const { connector: _c, maxCurrentA: _m, connectionTimeoutMs: _t, ...rest } = s.context;
  return JSON.stringify([s.value, rest]);
}

function emitted(actions: ReadonlyArray<{ type: string; params?: unknown }>): ConnectorEmitted[] {
  return actions
    .filter((a) => a.type === 'xstate.emit')
    .map((a) => (a.params as { event: ConnectorEmitted }).event);
}

interface Edge {
  from: Snap;
  event: ConnectorEvent;
  to: Snap;
  commands: ConnectorEmitted[];
}

/** Breadth-first walk of every reachable (state, context); parents give shortest paths. */
function walk() {
  const [initial] = initialTransition(connectorMachine, INPUT);
  const states = new Map<string, Snap>([[serialize(initial), initial]]);
  const parent = new Map<string, { prev: string; event: ConnectorEvent } | null>([[serialize(initial), null]]);
  const edges: Edge[] = [];
  const queue: Snap[] = [initial];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const event of EVENTS) {
      const [to, actions] = transition(connectorMachine, from, event);
      edges.push({ from, event, to, commands: emitted(actions) });
      const key = serialize(to);
      if (!states.has(key)) {
        states.set(key, to);
        parent.set(key, { prev: serialize(from), event });
        queue.push(to);
      }
    }
  }
  return { states, parent, edges };
}

const { states, parent, edges } = walk();
const reachable = [...states.values()];

test('graph: the walk reaches every state of the chart', () => {
  const values = new Set(reachable.map((s) => JSON.stringify(s.value)));
  for (const v of [
    'available',
    'reserved',
    { preparing: 'evConnected' },
    { preparing: 'authorized' },
    'energyOffered',
    'charging',
    'pausedByEv',
    'pausedByCharger',
    'finishing',
    'evDisconnected',
    'unavailable',
    'faulted',
  ]) {
    assert.ok(values.has(JSON.stringify(v)), `state ${JSON.stringify(v)} not reached`);
  }
  assert.ok(edges.length > 1000, `only ${edges.length} edges walked`);
});

test('safety: contactor commanded closed only when authorized, EV in C/D, no fault, offer >= 6 A (every reachable state)', () => {
  for (const snap of reachable) {
    const ctx = snap.context;
    if (ctx.contactorClosed) {
      assert.ok(contactorMayClose(ctx), `closed in ${serialize(snap)}`);
      assert.ok(ctx.authorized && ['C', 'D'].includes(ctx.pilot) && ctx.faults.length === 0);
      assert.ok(ctx.offerA !== null && ctx.offerA >= 6 && ctx.offerA <= ctx.maxCurrentA);
    }
    if (ctx.offerA !== null) {
      assert.ok(ctx.offerA >= 6 && ctx.offerA <= ctx.maxCurrentA, `offer ${ctx.offerA}`);
    }
  }
});

test('safety: unplug, fault and deauthorization open the contactor in the same step (every reachable edge)', () => {
  let checked = 0;
  for (const { from, event, to, commands } of edges) {
    const opening =
      (event.type === 'hal.cpChanged' && event.state !== 'C' && event.state !== 'D') ||
      event.type === 'hal.faultRaised' ||
      (event.type === 'auth.ended' && from.context.authorized);
    if (!opening || !from.context.contactorClosed) continue;
    assert.is(to.context.contactorClosed, false, `${event.type} left contactor closed`);
    // The very first command of the step opens the contactor: nothing is sent before it.
    assert.equal(commands[0], { type: 'hw.contactor', closed: false }, `${JSON.stringify(event)} from ${serialize(from)}`);
    checked += 1;
  }
  assert.ok(checked > 50, `only ${checked} opening edges checked`);
});

test('outputs: emitted commands always match the commanded outputs in context (every reachable edge)', () => {
  for (const { from, to, commands } of edges) {
    let contactor = from.context.contactorClosed;
    let offer = from.context.offerA;
    for (const c of commands) {
      if (c.type === 'hw.contactor') {
        assert.is.not(c.closed, contactor, 'redundant contactor command');
        contactor = c.closed;
        // Closing never happens while the offer is off.
        if (c.closed) assert.ok(offer !== null, 'closed with no offer');
      }
      if (c.type === 'hw.offer') {
        assert.is.not(c.currentA, offer, 'redundant offer command');
        offer = c.currentA;
        if (offer === null) assert.is(contactor, false, 'offer withdrawn while contactor closed');
      }
    }
    assert.is(contactor, to.context.contactorClosed);
    assert.is(offer, to.context.offerA);
  }
});

test('session facts: session.ended is emitted exactly when authorization is lost', () => {
  for (const { from, event, to, commands } of edges) {
    const ended = commands.filter((c) => c.type === 'session.ended');
    const lost = from.context.authorized && !to.context.authorized;
    assert.is(ended.length, lost ? 1 : 0, `${JSON.stringify(event)} from ${serialize(from)}`);
  }
});

test('shortest paths: the shortest path to every reachable state, replayed on a live actor, ends there with hardware matching', () => {
  let replayed = 0;
  for (const [key, target] of states) {
    const steps: ConnectorEvent[] = [];
    for (let at = parent.get(key); at; at = parent.get(at.prev)) steps.unshift(at.event);
    const hw = { contactor: false, offer: null as number | null };
    const clock = new SimulatedClock();
    const actor = createActor(connectorMachine, { input: INPUT, clock });
    actor.on('hw.contactor', (e) => (hw.contactor = e.closed));
    actor.on('hw.offer', (e) => (hw.offer = e.currentA));
    actor.start();
    for (const event of steps) {
      if ((event.type as string) === TIMEOUT_EVENT) clock.increment(INPUT.connectionTimeoutMs);
      else actor.send(event);
    }
    assert.is(serialize(actor.getSnapshot()), serialize(target));
    assert.is(hw.contactor, target.context.contactorClosed);
    assert.is(hw.offer, target.context.offerA);
    actor.stop();
    replayed += 1;
  }
  assert.is(replayed, states.size);
});

function start(input: Partial<ConnectorInput> = {}) {
  const clock = new SimulatedClock();
  const log: ConnectorEmitted[] = [];
  const actor = createActor(connectorMachine, { input: { ...INPUT, ...input }, clock });
  actor.on('*', (e) => log.push(e as ConnectorEmitted));
  actor.start();
  const state = () => JSON.stringify(actor.getSnapshot().value).replace(/"/g, '');
  return { actor, clock, log, state };
}

test('IEC 61851: plug, authorize, charge, EV pause, resume, stop, unplug', () => {
  const { actor, log, state } = start();
  assert.is(state(), 'available');
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  assert.is(state(), '{preparing:evConnected}');
  actor.send({ type: 'auth.accepted' });
  assert.is(state(), 'energyOffered');
  assert.equal(log.splice(0), [{ type: 'hw.offer', currentA: 32 }]);
  actor.send({ type: 'hal.cpChanged', state: 'C' });
  assert.is(state(), 'charging');
  assert.equal(log.splice(0), [{ type: 'hw.contactor', closed: true }]);
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  assert.is(state(), 'pausedByEv');
  assert.equal(log.splice(0), [{ type: 'hw.contactor', closed: false }]);
  actor.send({ type: 'hal.cpChanged', state: 'C' });
  assert.is(state(), 'charging');
  log.splice(0);
  actor.send({ type: 'auth.ended' });
  assert.is(state(), 'finishing');
  assert.equal(log.splice(0), [
    { type: 'hw.contactor', closed: false },
    { type: 'session.ended', reason: 'deauthorized' },
    { type: 'hw.offer', currentA: null },
  ]);
  actor.send({ type: 'hal.cpChanged', state: 'A' });
  assert.is(state(), 'available');
});

test('swipe first: authorized waits for the plug, times out after the connection timeout', () => {
  const { actor, clock, log, state } = start({ connectionTimeoutMs: 30_000 });
  actor.send({ type: 'auth.accepted' });
  assert.is(state(), '{preparing:authorized}');
  actor.send({ type: 'cmd.setLimit', currentA: 20 }); // absorbed: does not restart the timer
  clock.increment(29_999);
  assert.is(state(), '{preparing:authorized}');
  clock.increment(1);
  assert.is(state(), 'available');
  assert.equal(log, [{ type: 'session.ended', reason: 'connectionTimeout' }]);
});

test('swipe first, then plug in: energy offered at the limit in force', () => {
  const { actor, log, state } = start();
  actor.send({ type: 'cmd.setLimit', currentA: 10 });
  actor.send({ type: 'auth.accepted' });
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  assert.is(state(), 'energyOffered');
  assert.equal(log, [{ type: 'hw.offer', currentA: 10 }]);
});

test('limit below 6 A pauses by the charger; raising it resumes', () => {
  const { actor, log, state } = start();
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  actor.send({ type: 'auth.accepted' });
  actor.send({ type: 'hal.cpChanged', state: 'C' });
  log.splice(0);
  actor.send({ type: 'cmd.setLimit', currentA: 5 });
  assert.is(state(), 'pausedByCharger');
  assert.equal(log.splice(0), [
    { type: 'hw.contactor', closed: false },
    { type: 'hw.offer', currentA: null },
  ]);
  actor.send({ type: 'hal.cpChanged', state: 'B' }); // the EV stops asking when PWM goes away
  actor.send({ type: 'cmd.setLimit', currentA: 13 });
  assert.is(state(), 'pausedByEv');
  assert.equal(log.splice(0), [{ type: 'hw.offer', currentA: 13 }]);
  actor.send({ type: 'hal.cpChanged', state: 'C' });
  assert.is(state(), 'charging');
});

test('fault while charging: contactor opens first, back to charging when cleared', () => {
  const { actor, log, state } = start();
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  actor.send({ type: 'auth.accepted' });
  actor.send({ type: 'hal.cpChanged', state: 'C' });
  log.splice(0);
  actor.send({ type: 'hal.faultRaised', code: 'overTemperature' });
  assert.is(state(), 'faulted');
  assert.equal(log.splice(0), [
    { type: 'hw.contactor', closed: false },
    { type: 'hw.offer', currentA: null },
  ]);
  actor.send({ type: 'auth.accepted' }); // no new session while faulted
  actor.send({ type: 'hal.faultCleared', code: 'overTemperature' });
  assert.is(state(), 'charging');
});

test('unavailable is scheduled during a session and applied when it ends', () => {
  const { actor, state } = start();
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  actor.send({ type: 'auth.accepted' });
  actor.send({ type: 'hal.cpChanged', state: 'C' });
  actor.send({ type: 'cmd.setOperative', operative: false });
  assert.is(state(), 'charging');
  actor.send({ type: 'auth.ended' });
  assert.is(state(), 'unavailable');
  actor.send({ type: 'auth.accepted' });
  assert.is(state(), 'unavailable');
  actor.send({ type: 'cmd.setOperative', operative: true });
  assert.is(state(), 'finishing');
});

test('reserved: plugging in keeps the reservation; authorization takes it', () => {
  const { actor, state } = start();
  actor.send({ type: 'cmd.reserve' });
  assert.is(state(), 'reserved');
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  assert.is(state(), 'reserved');
  actor.send({ type: 'auth.accepted' });
  assert.is(state(), 'energyOffered');
  assert.is(actor.getSnapshot().context.reserved, false);
});

test('unplug with unplugEndsSession=false keeps the session, re-plug resumes', () => {
  const { actor, log, state } = start({ unplugEndsSession: false });
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  actor.send({ type: 'auth.accepted' });
  actor.send({ type: 'hal.cpChanged', state: 'C' });
  log.splice(0);
  actor.send({ type: 'hal.cpChanged', state: 'A' });
  assert.is(state(), 'evDisconnected');
  assert.equal(log.splice(0), [
    { type: 'hw.contactor', closed: false },
    { type: 'hw.offer', currentA: null },
  ]);
  actor.send({ type: 'hal.cpChanged', state: 'B' });
  assert.is(state(), 'pausedByEv');
});

test('restored state: a fault present at start starts faulted, inoperative starts unavailable', () => {
  const a = createActor(connectorMachine, { input: { ...INPUT, faults: ['groundFault'] } }).start();
  assert.equal(a.getSnapshot().value, 'faulted');
  const b = createActor(connectorMachine, { input: { ...INPUT, operative: false, pilot: 'B' } }).start();
  assert.equal(b.getSnapshot().value, 'unavailable');
  const c = createActor(connectorMachine, { input: { ...INPUT, pilot: 'B' } }).start();
  assert.equal(c.getSnapshot().value, { preparing: 'evConnected' });
  const [s] = initialTransition(connectorMachine, { ...INPUT, pilot: 'E' });
  assert.equal(s.value, 'faulted');
});

test.run();
