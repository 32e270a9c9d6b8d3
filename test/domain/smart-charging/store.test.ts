/**
 * src/store/charging-profiles.ts: profiles persist across reopening the database (16-E 3.37,
 * K01.FR.27, TC_K_13_CS); replace is atomic; filters are logical AND; the migration is entry 4.
 * Real SQLite file in a temp directory.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, schemaVersion, type Db } from '../../../src/store/db.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { createChargingProfileStore } from '../../../src/store/charging-profiles.js';
import type { ChargingProfile } from '../../../src/domain/smart-charging/model.js';
import { at, prof } from './fixtures.js';

function withDir(fn: (dir: string) => void): () => void {
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-sc-'));
    try {
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const open = (dir: string) => {
  const db: Db = openDatabase(dir);
  return { db, store: createChargingProfileStore<ChargingProfile>(db, () => 42) };
};

const daily = prof({
  id: 100,
  kind: 'recurring',
  recurrency: 'daily',
  connector: 0,
  startMs: at('2013-01-01T00:00:00Z'),
  durationS: 86_400,
  unit: 'W',
  validFromMs: at('2026-01-01T00:00:00Z'),
  periods: [[0, 11_000, 3], [28_800, 6_000, 3], [72_000, 11_000, 3]],
});
const tx = prof({ id: 7, purpose: 'tx', connector: 1, stackLevel: 2, transactionId: 'a1b2', startMs: 5, periods: [[0, 16]] });

test('the charging profile table is migration 4', withDir((dir) => {
  const { db } = open(dir);
  assert.ok(MIGRATIONS.length >= 4);
  assert.ok(MIGRATIONS[3]!.includes('CREATE TABLE charging_profiles'));
  assert.is(schemaVersion(db), MIGRATIONS.length);
  db.close();
}));

test('profiles survive closing and reopening the database, field for field', withDir((dir) => {
  const first = open(dir);
  first.store.put(daily);
  first.store.put(tx);
  first.db.close();
  const second = open(dir);
  assert.equal(second.store.list(), [tx, daily]);
  assert.equal(second.store.get(100), daily);
  assert.is(second.store.get(5), undefined);
  assert.is(second.store.count(), 2);
  second.db.close();
}));

test('put with a known id overwrites; replace removes and adds in one transaction', withDir((dir) => {
  const { db, store } = open(dir);
  store.put(daily);
  store.put(tx);
  const newer = { ...tx, stackLevel: 3 };
  store.put(newer);
  assert.equal(store.get(7), newer);
  const successor = prof({ id: 8, connector: 0, startMs: 0, periods: [[0, 10]] });
  store.replace(successor, [100, 7]);
  assert.equal(store.list(), [successor]);
  // A failing insert rolls the removal back.
  const broken = { ...successor, id: 9, connector: null } as unknown as ChargingProfile;
  assert.throws(() => store.replace(broken, [8]));
  assert.equal(store.list(), [successor]);
  db.close();
}));

test('filters match as logical AND; removeWhere returns what it removed; remove by id', withDir((dir) => {
  const { db, store } = open(dir);
  const a = prof({ id: 1, connector: 0, stackLevel: 0, startMs: 0, periods: [[0, 10]] });
  const b = prof({ id: 2, connector: 1, stackLevel: 0, startMs: 0, periods: [[0, 10]] });
  const c = prof({ id: 3, connector: 1, stackLevel: 1, startMs: 0, periods: [[0, 10]] });
  const m = prof({ id: 4, purpose: 'stationMax', connector: 0, stackLevel: 1, startMs: 0, periods: [[0, 10]] });
  for (const p of [a, b, c, m, tx]) store.put(p);
  assert.equal(store.list({ connector: 1, purpose: 'txDefault' }).map((p) => p.id), [2, 3]);
  assert.equal(store.list({ stackLevel: 1 }).map((p) => p.id), [3, 4]);
  assert.equal(store.list({ transactionId: 'a1b2' }).map((p) => p.id), [7]);
  assert.equal(store.removeWhere({ connector: 0, stackLevel: 1 }).map((p) => p.id), [4]);
  assert.is(store.remove(1), true);
  assert.is(store.remove(1), false);
  assert.equal(store.list().map((p) => p.id), [2, 3, 7]);
  assert.equal(store.removeWhere({}).map((p) => p.id), [2, 3, 7]);
  assert.is(store.count(), 0);
  db.close();
}));

test.run();
