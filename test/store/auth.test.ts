/**
 * Authorization store: cache rows, eviction order, local list replace / differential in one
 * transaction with the version, persistence across reopening. Real SQLite file in a temp dir.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../src/store/db.js';
import { createAuthStore, LOCAL_LIST_VERSION_KEY, type AuthStore } from '../../src/store/auth.js';
import { createSettingsStore } from '../../src/store/settings.js';

const T0 = 1_700_000_000_000;

function withStore(fn: (store: AuthStore, db: Db, dir: string) => void): () => void {
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-auth-store-'));
    const db = openDatabase(dir);
    try {
      fn(createAuthStore(db), db, dir);
    } finally {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'cache put/get/touch/setStatus/delete keep exactly what was written',
  withStore((s) => {
    assert.is(s.cacheGet('A'), undefined);
    s.cachePut('A', { status: 'Accepted', expiryMs: T0 + 5000, group: 'G' }, T0);
    assert.equal(s.cacheGet('A'), { idTag: 'A', status: 'Accepted', expiryMs: T0 + 5000, group: 'G', updatedAtMs: T0, lastUsedMs: T0 });
    s.cacheTouch('A', T0 + 10);
    s.cacheSetStatus('A', 'Expired');
    assert.equal(s.cacheGet('A'), { idTag: 'A', status: 'Expired', expiryMs: T0 + 5000, group: 'G', updatedAtMs: T0, lastUsedMs: T0 + 10 });
    s.cachePut('A', { status: 'Blocked' }, T0 + 20);
    assert.equal(s.cacheGet('A'), { idTag: 'A', status: 'Blocked', updatedAtMs: T0 + 20, lastUsedMs: T0 + 20 });
    assert.is(s.cacheCount(), 1);
    s.cacheDelete('A');
    assert.is(s.cacheCount(), 0);
  }),
);

test(
  'cacheEvict removes non-Accepted and expired entries first, then least recently used',
  withStore((s) => {
    s.cachePut('OLD-OK', { status: 'Accepted' }, T0);
    s.cachePut('BLOCKED', { status: 'Blocked' }, T0 + 3);
    s.cachePut('EXPIRED', { status: 'Accepted', expiryMs: T0 + 50 }, T0 + 4);
    s.cachePut('NEW-OK', { status: 'Accepted', expiryMs: T0 + 10_000 }, T0 + 5);
    assert.is(s.cacheEvict(2, T0 + 100), 2);
    assert.equal([s.cacheGet('BLOCKED'), s.cacheGet('EXPIRED')], [undefined, undefined]);
    assert.is(s.cacheEvict(1, T0 + 100), 1);
    assert.is(s.cacheGet('OLD-OK'), undefined);
    assert.is(s.cacheGet('NEW-OK')?.idTag, 'NEW-OK');
    assert.is(s.cacheEvict(0, T0 + 100), 0);
    assert.is(s.cacheCount(), 1);
  }),
);

test(
  'cacheDeleteUsedBefore, cacheClear and cacheDeleteListed count what they removed',
  withStore((s) => {
    s.cachePut('A', { status: 'Accepted' }, T0);
    s.cachePut('B', { status: 'Accepted' }, T0 + 10);
    s.cachePut('C', { status: 'Accepted' }, T0 + 20);
    assert.is(s.cacheDeleteUsedBefore(T0 + 10), 1);
    s.listReplaceAll([{ idTag: 'B', status: 'Accepted' }], 1);
    assert.is(s.cacheDeleteListed(), 1);
    assert.is(s.cacheGet('C')?.idTag, 'C');
    assert.is(s.cacheClear(), 1);
    assert.is(s.cacheCount(), 0);
  }),
);

test(
  'D01.FR.15 / 16 §6.41 - listReplaceAll replaces the list and sets the version',
  withStore((s) => {
    assert.is(s.listVersion(), 0);
    s.listReplaceAll([{ idTag: 'A', status: 'Accepted', group: 'G' }, { idTag: 'B', status: 'Blocked', expiryMs: T0 }], 3);
    s.listReplaceAll([{ idTag: 'C', status: 'Accepted' }], 4);
    assert.equal(s.listAll(), [{ idTag: 'C', status: 'Accepted' }]);
    assert.is(s.listVersion(), 4);
    assert.is(s.listCount(), 1);
    s.listReplaceAll([], 5);
    assert.equal([s.listCount(), s.listVersion()], [0, 5]);
  }),
);

test(
  'D01.FR.16/17 - listApplyDifferential adds, replaces and removes, and sets the version',
  withStore((s) => {
    s.listReplaceAll([{ idTag: 'A', status: 'Accepted' }, { idTag: 'B', status: 'Accepted' }], 1);
    s.listApplyDifferential([{ idTag: 'A', record: { status: 'Blocked', group: 'G' } }, { idTag: 'B' }, { idTag: 'C', record: { status: 'Accepted', expiryMs: T0 } }], 2);
    assert.equal(s.listAll(), [{ idTag: 'A', status: 'Blocked', group: 'G' }, { idTag: 'C', status: 'Accepted', expiryMs: T0 }]);
    assert.equal(s.listGet('A'), { idTag: 'A', status: 'Blocked', group: 'G' });
    assert.is(s.listGet('B'), undefined);
    assert.is(s.listVersion(), 2);
  }),
);

test(
  'a list update that fails half-way changes neither the entries nor the version (one transaction)',
  withStore((s, db) => {
    s.listReplaceAll([{ idTag: 'A', status: 'Accepted' }], 1);
    db.exec(`CREATE TRIGGER no_bad BEFORE INSERT ON local_list WHEN NEW.id_tag = 'BAD' BEGIN SELECT RAISE(ABORT, 'refused'); END;`);
    assert.throws(() => s.listReplaceAll([{ idTag: 'X', status: 'Accepted' }, { idTag: 'BAD', status: 'Accepted' }], 2), /refused/);
    assert.throws(() => s.listApplyDifferential([{ idTag: 'A' }, { idTag: 'BAD', record: { status: 'Accepted' } }], 3), /refused/);
    assert.equal(s.listAll(), [{ idTag: 'A', status: 'Accepted' }]);
    assert.is(s.listVersion(), 1);
  }),
);

test(
  'the version lives in the settings table under localList.version',
  withStore((s, db) => {
    s.setListVersion(7);
    assert.is(createSettingsStore(db).get(LOCAL_LIST_VERSION_KEY), 7);
    assert.is(s.listVersion(), 7);
  }),
);

test(
  'C10.FR.02 / D01.FR.10 - cache, list and version survive closing and reopening the database',
  withStore((s, db, dir) => {
    s.cachePut('A', { status: 'Accepted', group: 'G' }, T0);
    s.listReplaceAll([{ idTag: 'L', status: 'Accepted', expiryMs: T0 + 1 }], 9);
    db.close();
    const db2 = openDatabase(dir);
    try {
      const s2 = createAuthStore(db2);
      assert.equal(s2.cacheGet('A'), { idTag: 'A', status: 'Accepted', group: 'G', updatedAtMs: T0, lastUsedMs: T0 });
      assert.equal(s2.listAll(), [{ idTag: 'L', status: 'Accepted', expiryMs: T0 + 1 }]);
      assert.is(s2.listVersion(), 9);
    } finally {
      db2.close();
    }
  }),
);

test.run();
