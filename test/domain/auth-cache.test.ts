/**
 * AuthService cache behaviour: learn, eviction when full, lifetime since last use, ClearCache,
 * persistence across restarts, option checks, failing writes. Real SQLite file, manual clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../src/store/db.js';
import { createAuthStore, type AuthStore } from '../../src/store/auth.js';
import { createSettingsStore } from '../../src/store/settings.js';
import { Settings } from '../../src/domain/settings.js';
import { AuthError, AuthService, type AuthContext, type AuthServiceOptions } from '../../src/domain/auth.js';
import type { AuthInfo } from '../../src/domain/auth-types.js';

const T0 = 1_700_000_000_000;

interface Fx {
  svc: AuthService;
  store: AuthStore;
  settings: Settings;
  clock: { nowMs: number; now(): number };
  asked: string[];
  answers: Map<string, AuthInfo | 'fail'>;
  online: AuthContext;
  offline: AuthContext;
  warnings: Array<Record<string, unknown>>;
  db: Db;
  dir: string;
}

function withAuth(
  setup: { settings?: Record<string, unknown>; options?: Partial<AuthServiceOptions>; wrapStore?: (s: AuthStore) => AuthStore },
  fn: (fx: Fx) => Promise<void> | void,
): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-auth-cache-'));
    const db = openDatabase(dir);
    try {
      const store = createAuthStore(db);
      const settings = new Settings(createSettingsStore(db), setup.settings ?? {});
      const clock = { nowMs: T0, now: () => clock.nowMs };
      const asked: string[] = [];
      const answers = new Map<string, AuthInfo | 'fail'>();
      const ask = async (token: string): Promise<AuthInfo> => {
        asked.push(token);
        const a = answers.get(token);
        if (a === undefined || a === 'fail') throw new Error('link lost');
        return a;
      };
      const warnings: Array<Record<string, unknown>> = [];
      const log = { warn: (obj: Record<string, unknown>) => void warnings.push(obj) };
      const svcStore = setup.wrapStore ? setup.wrapStore(store) : store;
      const svc = new AuthService({ store: svcStore, settings, clock, log, ...setup.options });
      const fx = { svc, store, settings, clock, asked, answers, warnings, db, dir };
      await fn({ ...fx, online: { online: true, ask }, offline: { online: false, ask } });
    } finally {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  '16 §3.5.1 / C10.FR.01 / C12.FR.06 - learn stores every status and replaces what was there',
  withAuth({}, ({ svc, store, clock }) => {
    svc.learn('A', { status: 'Accepted', group: 'G', expiryMs: T0 + 9 });
    svc.learn('B', { status: 'ConcurrentTx' });
    clock.nowMs = T0 + 5;
    svc.learn('a', { status: 'Blocked' });
    assert.equal(store.cacheGet('A'), { idTag: 'A', status: 'Blocked', updatedAtMs: T0 + 5, lastUsedMs: T0 + 5 });
    assert.equal(store.cacheGet('B'), { idTag: 'B', status: 'ConcurrentTx', updatedAtMs: T0, lastUsedMs: T0 });
    assert.is(svc.cacheSize(), 2);
  }),
);

test(
  '16 §3.5.3 / C13.FR.01 - ids in the local list are never added to the cache (also while the list is disabled)',
  withAuth({}, ({ svc, store, settings }) => {
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'L1', info: { status: 'Accepted' } }] });
    svc.learn('L1', { status: 'Blocked' });
    settings.set('LocalAuthListEnabled', false);
    svc.learn('l1', { status: 'Blocked' });
    assert.is(store.cacheCount(), 0);
  }),
);

test(
  '16 §3.5.1 / C10.FR.07 - cache full: non-Accepted (and expired) entries go first, then the least recently used',
  withAuth({ settings: { LocalPreAuthorize: true }, options: { cacheMaxEntries: 3 } }, async ({ svc, store, clock, online }) => {
    svc.learn('OK1', { status: 'Accepted' });
    clock.nowMs = T0 + 1;
    svc.learn('BAD', { status: 'Invalid' });
    clock.nowMs = T0 + 2;
    svc.learn('OK2', { status: 'Accepted' });
    clock.nowMs = T0 + 3;
    svc.learn('OK3', { status: 'Accepted' }); // full: BAD goes although it is newer than OK1
    assert.equal(store.cacheGet('BAD'), undefined);
    clock.nowMs = T0 + 4;
    assert.is((await svc.authorizeStart('OK1', online)).source, 'cache'); // a use: OK1 is now the most recent
    clock.nowMs = T0 + 5;
    svc.learn('OK4', { status: 'Accepted' });
    assert.equal(['OK1', 'OK2', 'OK3', 'OK4'].map((t) => store.cacheGet(t) !== undefined), [true, false, true, true]);
    clock.nowMs = T0 + 6;
    svc.learn('OK3', { status: 'Accepted', expiryMs: T0 + 5 }); // an update of a present id evicts nothing
    clock.nowMs = T0 + 7;
    svc.learn('OK5', { status: 'Accepted' }); // OK3 is expired: it goes before the older OK1
    assert.equal(['OK1', 'OK3', 'OK4', 'OK5'].map((t) => store.cacheGet(t) !== undefined), [true, false, true, true]);
    assert.is(svc.cacheSize(), 3);
  }),
);

test(
  'C10.FR.08 - with a lifetime, an entry unused for longer than the lifetime is dropped (treated as unknown)',
  withAuth({ settings: { LocalPreAuthorize: true }, options: { cacheLifetimeS: 60 } }, async ({ svc, store, clock, online, offline, answers }) => {
    svc.learn('A', { status: 'Accepted' });
    clock.nowMs = T0 + 60_000; // exactly the lifetime: still present, and this use restarts it
    assert.is((await svc.authorizeStart('A', offline)).source, 'cache');
    clock.nowMs = T0 + 120_000;
    assert.is((await svc.authorizeStart('A', offline)).source, 'cache');
    clock.nowMs = T0 + 180_001;
    assert.equal(await svc.authorizeStart('A', offline), { accepted: false, info: { status: 'Unknown' }, source: 'offlineRefused' });
    assert.is(store.cacheGet('A'), undefined);
    answers.set('A', { status: 'Accepted' });
    assert.is((await svc.authorizeStart('A', online)).source, 'csms');
    assert.is(store.cacheGet('A')?.updatedAtMs, T0 + 180_001);
  }),
);

test(
  'C10.FR.07 / C10.FR.08 - when full, entries past their lifetime are dropped before any valid one is evicted',
  withAuth({ options: { cacheMaxEntries: 2, cacheLifetimeS: 10 } }, ({ svc, store, clock }) => {
    svc.learn('STALE', { status: 'Accepted' });
    clock.nowMs = T0 + 9_000;
    svc.learn('FRESH', { status: 'Accepted' });
    clock.nowMs = T0 + 10_001;
    svc.learn('NEW', { status: 'Accepted' });
    assert.equal(['STALE', 'FRESH', 'NEW'].map((t) => store.cacheGet(t) !== undefined), [false, true, true]);
  }),
);

test(
  '16 §5.4 / C11.FR.01 - clearCache empties the cache and leaves the local list alone',
  withAuth({}, ({ svc, store }) => {
    svc.learn('A', { status: 'Accepted' });
    svc.learn('B', { status: 'Blocked' });
    svc.sendLocalList({ version: 2, type: 'Full', entries: [{ token: 'L', info: { status: 'Accepted' } }] });
    svc.clearCache();
    assert.equal([store.cacheCount(), svc.localListSize(), svc.localListVersion()], [0, 1, 2]);
  }),
);

test(
  'C10.FR.11 - AuthorizationCacheEnabled=false: learn writes nothing',
  withAuth({ settings: { AuthorizationCacheEnabled: false } }, ({ svc, store }) => {
    svc.learn('A', { status: 'Accepted' });
    assert.is(store.cacheCount(), 0);
  }),
);

test(
  '16 §3.5.4 - information learnt already past its expiry is kept and reads as Expired (refused offline, not "unknown")',
  withAuth({ settings: { AllowOfflineTxForUnknownId: true } }, async ({ svc, offline }) => {
    svc.learn('P', { status: 'Accepted', expiryMs: T0 - 1 });
    assert.equal(await svc.authorizeStart('P', offline), { accepted: false, info: { status: 'Expired', expiryMs: T0 - 1 }, source: 'cache' });
  }),
);

test(
  '16-E 3.4 / C10.FR.02 / D01.FR.10 - after a restart the cache, the list and its version are intact',
  withAuth({}, async ({ svc, db, dir, offline }) => {
    svc.learn('C1', { status: 'Accepted', group: 'G' });
    svc.sendLocalList({ version: 4, type: 'Full', entries: [{ token: 'L1', info: { status: 'Blocked' } }] });
    db.close();
    const db2 = openDatabase(dir);
    try {
      const settings = new Settings(createSettingsStore(db2));
      const svc2 = new AuthService({ store: createAuthStore(db2), settings, clock: { now: () => T0 + 1 } });
      assert.equal(await svc2.authorizeStart('C1', offline), { accepted: true, info: { status: 'Accepted', group: 'G' }, source: 'cache' });
      assert.equal(await svc2.authorizeStart('L1', offline), { accepted: false, info: { status: 'Blocked' }, source: 'localList' });
      assert.equal([svc2.localListVersion(), svc2.localListSize(), svc2.cacheSize()], [4, 1, 1]);
    } finally {
      db2.close();
    }
  }),
);

test(
  'constructor options are checked (stable code EVSED_AUTH_OPTION)',
  withAuth({}, ({ store, settings }) => {
    const clock = { now: () => T0 };
    for (const bad of [{ cacheMaxEntries: 0 }, { cacheMaxEntries: 1.5 }, { cacheLifetimeS: 0 }, { cacheLifetimeS: -3 }]) {
      try {
        new AuthService({ store, settings, clock, ...bad });
        assert.unreachable(`accepted ${JSON.stringify(bad)}`);
      } catch (err) {
        assert.instance(err, AuthError);
        assert.is((err as AuthError).code, 'EVSED_AUTH_OPTION');
      }
    }
  }),
);

test(
  'a cache write failing after Authorize does not turn the accepted id away; it is logged with EVSED_AUTH_STORE',
  withAuth(
    {
      wrapStore: (s) => ({
        ...s,
        cachePut: () => {
          throw new Error('disk I/O error');
        },
      }),
    },
    async ({ svc, online, answers, warnings }) => {
      answers.set('A', { status: 'Accepted' });
      assert.equal(await svc.authorizeStart('A', online), { accepted: true, info: { status: 'Accepted' }, source: 'csms' });
      assert.equal(warnings.map((w) => [w.code, w.token, (w.err as Error).message]), [['EVSED_AUTH_STORE', 'A', 'disk I/O error']]);
      assert.throws(() => svc.learn('B', { status: 'Accepted' }), /disk I\/O error/);
    },
  ),
);

test.run();
