/**
 * The outbox: persistent, ordered, one-at-a-time sending of queued messages with the OCPP retry
 * rules (R-O2, E13) and the queue's size bound (R-O8/R-O12), on a real SQLite file and a scripted
 * transport.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Outbox, type OutboxHooks } from '../../src/ocpp/outbox.js';
import { CallFailure, RpcError, type RpcClient } from '../../src/ocpp/rpc/index.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { createQueueStore, type QueueStore } from '../../src/store/queue.js';

type Answer = { ok: unknown } | { error: Error } | 'hang';

class FakeRpc {
  sent: Array<{ action: string; payload: any }> = [];
  script: Answer[] = [];
  /** Called when the scripted answer is a lost link (the real transport is then disconnected). */
  onOffline: () => void = () => undefined;
  call(action: string, payload: object): Promise<unknown> {
    this.sent.push({ action, payload });
    const next = this.script.shift() ?? { ok: {} };
    if (next === 'hang') return new Promise(() => undefined);
    if ('error' in next && next.error instanceof CallFailure && next.error.kind === 'offline') this.onOffline();
    return 'ok' in next ? Promise.resolve(next.ok) : Promise.reject(next.error);
  }
}

interface Rig {
  db: Db;
  dir: string;
  queue: QueueStore;
  rpc: FakeRpc;
  outbox: Outbox;
  now: { ms: number };
  online: { value: boolean };
  results: Array<[string, unknown]>;
  discarded: Array<[string, string]>;
  close(): void;
}

function rig(opts: { attempts?: number; intervalS?: number; max?: number } = {}): Rig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-outbox-'));
  const db = openDatabase(dir);
  const queue = createQueueStore(db);
  const rpc = new FakeRpc();
  const now = { ms: 1_000_000 };
  const online = { value: true };
  const results: Array<[string, unknown]> = [];
  const discarded: Array<[string, string]> = [];
  const hooks: OutboxHooks = {
    prepare: (m) => m.payload,
    onResult: (m, r) => void results.push([m.action, r]),
    onDiscard: (m, reason) => void discarded.push([m.action, reason]),
    attempts: () => opts.attempts ?? 3,
    retryIntervalS: () => opts.intervalS ?? 60,
  };
  const outbox = new Outbox({
    queue,
    rpc: rpc as unknown as RpcClient,
    protocol: 'ocpp1.6',
    hooks,
    now: () => now.ms,
    log: pino({ level: 'silent' }),
    canSend: () => online.value,
    maxMessages: () => opts.max ?? 1000,
    thinnable: ['meter'],
  });
  return {
    db, dir, queue, rpc, outbox, now, online, results, discarded,
    close() {
      outbox.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

test('R-O1 - messages go out in order, one at a time, and are deleted on their answer', async () => {
  const r = rig();
  r.online.value = false;
  for (let i = 0; i < 5; i += 1) r.outbox.enqueue({ action: 'MeterValues', kind: 'meter', payload: { n: i } });
  assert.is(r.outbox.depth(), 5);
  assert.equal(r.rpc.sent, []);
  r.online.value = true;
  r.outbox.kick();
  await r.outbox.whenEmpty();
  assert.equal(r.rpc.sent.map((s) => s.payload.n), [0, 1, 2, 3, 4]);
  assert.is(r.outbox.depth(), 0);
  assert.is(r.results.length, 5);
  r.close();
});

test('R-O2 - a CALLERROR uses an attempt; retry after interval × attempts; discarded after the last', async () => {
  const r = rig({ attempts: 3, intervalS: 60 });
  r.rpc.script = [{ error: new RpcError('InternalError') }, { error: new RpcError('InternalError') }, { error: new RpcError('GenericError') }];
  r.outbox.enqueue({ action: 'StartTransaction', kind: 'start', payload: {} });
  await settle();
  let head = r.queue.head('ocpp1.6')!;
  assert.is(head.attempts, 1);
  assert.is(head.notBeforeMs, 1_000_000 + 60_000);
  r.now.ms += 60_000;
  r.outbox.kick();
  await settle();
  head = r.queue.head('ocpp1.6')!;
  assert.is(head.attempts, 2);
  assert.is(head.notBeforeMs, 1_060_000 + 120_000, 'second retry waits 2 × interval');
  r.now.ms += 120_000;
  r.outbox.kick();
  await settle();
  assert.is(r.queue.depth(), 0);
  assert.equal(r.discarded, [['StartTransaction', 'CALLERROR GenericError']]);
  assert.is(r.rpc.sent.length, 3);
  r.close();
});

test('R-O2 - a timeout uses an attempt too', async () => {
  const r = rig({ attempts: 2, intervalS: 1 });
  r.rpc.script = [{ error: new CallFailure('timeout', 'StopTransaction') }];
  r.outbox.enqueue({ action: 'StopTransaction', kind: 'stop', payload: {} });
  await settle();
  assert.is(r.queue.head('ocpp1.6')!.attempts, 1);
  r.close();
});

test('R-O2 - losing the link does not use an attempt; sending resumes where it stopped', async () => {
  const r = rig({ attempts: 1 });
  r.rpc.script = [{ ok: {} }, { error: new CallFailure('offline', 'MeterValues') }];
  r.rpc.onOffline = () => (r.online.value = false);
  r.online.value = false;
  for (let i = 0; i < 3; i += 1) r.outbox.enqueue({ action: 'MeterValues', kind: 'meter', payload: { n: i } });
  r.online.value = true;
  r.outbox.kick();
  await settle();
  assert.is(r.outbox.depth(), 2);
  assert.is(r.queue.head('ocpp1.6')!.attempts, 0);
  r.online.value = true;
  r.outbox.kick();
  await r.outbox.whenEmpty();
  assert.equal(r.rpc.sent.map((s) => s.payload.n), [0, 1, 1, 2]);
  assert.equal(r.discarded, []);
  r.close();
});

test('a message that is not schema-valid is dropped (not retried forever) and reported', async () => {
  const r = rig();
  r.rpc.script = [{ error: new CallFailure('invalidRequest', 'MeterValues', { detail: '/meterValue: required property missing' }) }];
  r.outbox.enqueue({ action: 'MeterValues', kind: 'meter', payload: {} });
  r.outbox.enqueue({ action: 'MeterValues', kind: 'meter', payload: { n: 2 } });
  await r.outbox.whenEmpty();
  assert.is(r.discarded.length, 1);
  assert.is(r.rpc.sent.length, 2);
  r.close();
});

test('E11.FR.07 - when the link is lost everything queued is marked as sent while offline', async () => {
  const r = rig();
  r.online.value = true;
  r.rpc.script = ['hang'];
  r.outbox.enqueue({ action: 'MeterValues', kind: 'meter', payload: { n: 0 } });
  r.online.value = false;
  r.outbox.enqueue({ action: 'MeterValues', kind: 'meter', payload: { n: 1 } });
  assert.equal(r.queue.list(10).map((m) => m.offline), [false, true]);
  r.outbox.linkLost();
  assert.equal(r.queue.list(10).map((m) => m.offline), [true, true]);
  r.close();
});

test('R-O8/R-O12 - over the bound, intermediate meter values are thinned; start and stop are never dropped', async () => {
  const r = rig({ max: 100 });
  r.online.value = false;
  r.outbox.enqueue({ action: 'StartTransaction', kind: 'start', payload: { n: 'start' } });
  for (let i = 0; i < 150; i += 1) r.outbox.enqueue({ action: 'MeterValues', kind: 'meter', payload: { n: i } });
  r.outbox.enqueue({ action: 'StopTransaction', kind: 'stop', payload: { n: 'stop' } });
  const all = r.queue.list(1000);
  assert.ok(all.length <= 101, `${all.length} kept`);
  assert.is(all[0]!.payload.n, 'start');
  assert.is(all.at(-1)!.payload.n, 'stop');
  const meters = all.filter((m) => m.kind === 'meter').map((m) => m.payload.n as number);
  assert.equal(meters, [...meters].sort((a, b) => a - b), 'order kept');
  assert.ok(meters.includes(149), 'the newest value is kept');
  // A queue of only start/stop messages is never thinned.
  const r2 = rig({ max: 100 });
  r2.online.value = false;
  for (let i = 0; i < 120; i += 1) r2.outbox.enqueue({ action: 'StartTransaction', kind: 'start', payload: { n: i } });
  assert.is(r2.queue.depth(), 120);
  r.close();
  r2.close();
});

test('the queue survives closing and reopening the database (power cut between enqueue and send)', async () => {
  const r = rig();
  r.online.value = false;
  r.outbox.enqueue({ action: 'StartTransaction', kind: 'start', payload: { n: 1 } });
  r.outbox.stop();
  r.db.close();
  const db = openDatabase(r.dir);
  const q = createQueueStore(db);
  assert.is(q.depth(), 1);
  assert.equal(q.head('ocpp1.6')!.payload, { n: 1 });
  db.close();
  rmSync(r.dir, { recursive: true, force: true });
});

test.run();
