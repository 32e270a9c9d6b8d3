/**
 * AuthService.authorizeStart: local list before cache, expiry, LocalPreAuthorize,
 * LocalAuthorizeOffline, unknown-id mode, `ask` failing, master pass. Real SQLite file, fake CSMS
 * recording every Authorize, manual clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { createAuthStore, type AuthStore } from '../../src/store/auth.js';
import { createSettingsStore } from '../../src/store/settings.js';
import { Settings } from '../../src/domain/settings.js';
import { AuthService, type AuthContext, type AuthServiceOptions } from '../../src/domain/auth.js';
import type { AuthInfo } from '../../src/domain/auth-types.js';

const T0 = 1_700_000_000_000;

interface Fx {
  svc: AuthService;
  store: AuthStore;
  settings: Settings;
  clock: { nowMs: number; now(): number };
  /** Tokens the fake CSMS was asked about, in order. */
  asked: string[];
  /** Answers of the fake CSMS; 'fail' (or no answer) rejects like a lost link. */
  answers: Map<string, AuthInfo | 'fail'>;
  online: AuthContext;
  offline: AuthContext;
  warnings: Array<Record<string, unknown>>;
}

function withAuth(
  setup: { settings?: Record<string, unknown>; options?: Partial<AuthServiceOptions> },
  fn: (fx: Fx) => Promise<void> | void,
): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-auth-'));
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
      const svc = new AuthService({ store, settings, clock, log, ...setup.options });
      await fn({ svc, store, settings, clock, asked, answers, online: { online: true, ask }, offline: { online: false, ask }, warnings });
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  '16 §4.1 / C01.FR.02 / C10.FR.04 - online, id in neither list nor cache: Authorize is sent and the answer cached',
  withAuth({}, async ({ svc, store, online, asked, answers }) => {
    answers.set('A1', { status: 'Accepted', group: 'G', expiryMs: T0 + 60_000 });
    const d = await svc.authorizeStart('A1', online);
    assert.equal(d, { accepted: true, info: { status: 'Accepted', group: 'G', expiryMs: T0 + 60_000 }, source: 'csms' });
    assert.equal(asked, ['A1']);
    assert.equal(store.cacheGet('A1'), { idTag: 'A1', status: 'Accepted', group: 'G', expiryMs: T0 + 60_000, updatedAtMs: T0, lastUsedMs: T0 });
    answers.set('B2', { status: 'Blocked' });
    assert.equal(await svc.authorizeStart('B2', online), { accepted: false, info: { status: 'Blocked' }, source: 'csms' });
  }),
);

test(
  '16 §3.5.1 / C12 - online, LocalPreAuthorize, cached Accepted: accepted from the cache without Authorize',
  withAuth({ settings: { LocalPreAuthorize: true } }, async ({ svc, store, online, asked, clock }) => {
    svc.learn('A1', { status: 'Accepted', group: 'G' });
    clock.nowMs = T0 + 500;
    assert.equal(await svc.authorizeStart('A1', online), { accepted: true, info: { status: 'Accepted', group: 'G' }, source: 'cache' });
    assert.equal(asked, []);
    assert.is(store.cacheGet('A1')?.lastUsedMs, T0 + 500);
  }),
);

test(
  '16 §9.1.13 - online, LocalPreAuthorize off: a cached Accepted id still waits for Authorize',
  withAuth({}, async ({ svc, online, asked, answers }) => {
    svc.learn('A1', { status: 'Accepted' });
    answers.set('A1', { status: 'Invalid' });
    assert.equal(await svc.authorizeStart('A1', online), { accepted: false, info: { status: 'Invalid' }, source: 'csms' });
    assert.equal(asked, ['A1']);
  }),
);

test(
  'C14.FR.02 - online, LocalPreAuthorize, listed Accepted: accepted from the list without Authorize',
  withAuth({ settings: { LocalPreAuthorize: true } }, async ({ svc, online, asked }) => {
    assert.is(svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'L1', info: { status: 'Accepted', group: 'G' } }] }), 'Accepted');
    assert.equal(await svc.authorizeStart('L1', online), { accepted: true, info: { status: 'Accepted', group: 'G' }, source: 'localList' });
    assert.equal(asked, []);
  }),
);

test(
  '16 §3.5.3 / C13.FR.01 - the local list has priority over the cache for the same id',
  withAuth({ settings: { LocalPreAuthorize: true, AllowOfflineTxForUnknownId: true } }, async ({ svc, store, online, offline, asked, answers }) => {
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'X', info: { status: 'Blocked' } }] });
    store.cachePut('X', { status: 'Accepted' }, T0); // only possible behind the service's back
    assert.equal(await svc.authorizeStart('X', offline), { accepted: false, info: { status: 'Blocked' }, source: 'localList' });
    answers.set('X', { status: 'Blocked' });
    assert.equal(await svc.authorizeStart('X', online), { accepted: false, info: { status: 'Blocked' }, source: 'csms' });
    assert.equal(asked, ['X']);
  }),
);

test(
  '16 §3.5.1 / C10.FR.03 / C12.FR.05 - online, cached non-Accepted id: Authorize is sent and the cache updated',
  withAuth({ settings: { LocalPreAuthorize: true } }, async ({ svc, store, online, asked, answers, clock }) => {
    svc.learn('B1', { status: 'Blocked' });
    clock.nowMs = T0 + 1000;
    answers.set('B1', { status: 'Accepted' });
    assert.equal(await svc.authorizeStart('B1', online), { accepted: true, info: { status: 'Accepted' }, source: 'csms' });
    assert.equal(asked, ['B1']);
    assert.equal(store.cacheGet('B1'), { idTag: 'B1', status: 'Accepted', updatedAtMs: T0 + 1000, lastUsedMs: T0 + 1000 });
  }),
);

test(
  'C14.FR.03 / 16 §3.5.3 - online, listed non-Accepted id: Authorize is sent, the answer is not cached',
  withAuth({ settings: { LocalPreAuthorize: true } }, async ({ svc, store, online, asked, answers }) => {
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'L1', info: { status: 'Expired' } }] });
    answers.set('L1', { status: 'Accepted' });
    assert.equal(await svc.authorizeStart('L1', online), { accepted: true, info: { status: 'Accepted' }, source: 'csms' });
    assert.equal(asked, ['L1']);
    assert.is(store.cacheCount(), 0);
  }),
);

test(
  'C14.FR.05 / 16 §3.5.4 / C13.FR.06 - a listed Accepted id past its expiry: asked online, refused offline even in unknown-id mode',
  withAuth({ settings: { LocalPreAuthorize: true, AllowOfflineTxForUnknownId: true } }, async ({ svc, online, offline, asked, answers, clock }) => {
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'L1', info: { status: 'Accepted', expiryMs: T0 + 1000 } }] });
    clock.nowMs = T0 + 1000; // expiry == now: still valid
    assert.equal(await svc.authorizeStart('L1', offline), { accepted: true, info: { status: 'Accepted', expiryMs: T0 + 1000 }, source: 'localList' });
    clock.nowMs = T0 + 1001;
    assert.equal(await svc.authorizeStart('L1', offline), { accepted: false, info: { status: 'Expired', expiryMs: T0 + 1000 }, source: 'localList' });
    answers.set('L1', { status: 'Accepted', expiryMs: T0 + 90_000 });
    assert.equal((await svc.authorizeStart('L1', online)).source, 'csms');
    assert.equal(asked, ['L1']);
  }),
);

test(
  '16 §3.5.1 / C10.FR.13 - a cached Accepted id past its expiry reads as Expired and is changed to Expired in the cache',
  withAuth({ settings: { LocalPreAuthorize: true, AllowOfflineTxForUnknownId: true } }, async ({ svc, store, offline, clock }) => {
    svc.learn('C1', { status: 'Accepted', expiryMs: T0 + 10 });
    clock.nowMs = T0 + 11;
    assert.equal(await svc.authorizeStart('C1', offline), { accepted: false, info: { status: 'Expired', expiryMs: T0 + 10 }, source: 'cache' });
    assert.equal(store.cacheGet('C1'), { idTag: 'C1', status: 'Expired', expiryMs: T0 + 10, updatedAtMs: T0, lastUsedMs: T0 + 11 });
  }),
);

test(
  'AuthCacheCtrlr / LocalAuthListCtrlr.DisablePostAuthorize - a known non-Accepted id is refused online without Authorize',
  withAuth(
    { options: { cacheDisablePostAuthorize: true, localListDisablePostAuthorize: true } },
    async ({ svc, online, asked }) => {
      svc.learn('C1', { status: 'Blocked' });
      svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'L1', info: { status: 'Invalid' } }] });
      assert.equal(await svc.authorizeStart('C1', online), { accepted: false, info: { status: 'Blocked' }, source: 'cache' });
      assert.equal(await svc.authorizeStart('L1', online), { accepted: false, info: { status: 'Invalid' }, source: 'localList' });
      assert.equal(asked, []);
    },
  ),
);

test(
  '16 §3.5 / C13.FR.02 / C12 - offline with LocalAuthorizeOffline: Accepted list and cache ids are accepted locally',
  withAuth({}, async ({ svc, offline, asked }) => {
    svc.learn('C1', { status: 'Accepted', group: 'G' });
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'L1', info: { status: 'Accepted' } }] });
    assert.equal(await svc.authorizeStart('C1', offline), { accepted: true, info: { status: 'Accepted', group: 'G' }, source: 'cache' });
    assert.equal(await svc.authorizeStart('L1', offline), { accepted: true, info: { status: 'Accepted' }, source: 'localList' });
    assert.equal(asked, []);
  }),
);

test(
  '16 §9.1.12 - offline with LocalAuthorizeOffline off: a locally Accepted id is refused, also in unknown-id mode (it is not unknown)',
  withAuth({ settings: { LocalAuthorizeOffline: false, AllowOfflineTxForUnknownId: true } }, async ({ svc, offline }) => {
    svc.learn('C1', { status: 'Accepted' });
    assert.equal(await svc.authorizeStart('C1', offline), { accepted: false, info: { status: 'Accepted' }, source: 'offlineRefused' });
    assert.equal(await svc.authorizeStart('NEW', offline), { accepted: true, info: { status: 'Accepted' }, source: 'offlineUnknown' });
  }),
);

test(
  '16 §3.5.4 / C13.FR.04 - offline in unknown-id mode, listed or cached ids with another status are refused',
  withAuth({ settings: { AllowOfflineTxForUnknownId: true } }, async ({ svc, offline }) => {
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'L1', info: { status: 'Blocked' } }] });
    svc.learn('C1', { status: 'Invalid' });
    assert.equal(await svc.authorizeStart('L1', offline), { accepted: false, info: { status: 'Blocked' }, source: 'localList' });
    assert.equal(await svc.authorizeStart('C1', offline), { accepted: false, info: { status: 'Invalid' }, source: 'cache' });
  }),
);

test(
  '16 §3.5.4 / C15.FR.08 / C15.FR.01 - offline, unknown id, AllowOfflineTxForUnknownId: accepted and not cached',
  withAuth({ settings: { AllowOfflineTxForUnknownId: true } }, async ({ svc, store, offline, asked }) => {
    assert.equal(await svc.authorizeStart('U1', offline), { accepted: true, info: { status: 'Accepted' }, source: 'offlineUnknown' });
    assert.is(store.cacheCount(), 0);
    assert.equal(asked, []);
  }),
);

test(
  'C15 - offline, unknown id, unknown-id mode off: refused as offlineRefused with status Unknown',
  withAuth({}, async ({ svc, offline }) => {
    assert.equal(await svc.authorizeStart('U1', offline), { accepted: false, info: { status: 'Unknown' }, source: 'offlineRefused' });
  }),
);

test(
  'ask rejecting (link lost while asking) decides as offline, and is logged',
  withAuth({}, async ({ svc, online, asked, answers, warnings }) => {
    svc.learn('C1', { status: 'Accepted' });
    answers.set('C1', 'fail');
    assert.equal(await svc.authorizeStart('C1', online), { accepted: true, info: { status: 'Accepted' }, source: 'cache' });
    assert.equal(await svc.authorizeStart('U1', online), { accepted: false, info: { status: 'Unknown' }, source: 'offlineRefused' });
    assert.equal(asked, ['C1', 'U1']);
    assert.equal(warnings.map((w) => [w.code, w.token]), [['EVSED_AUTH_ASK_FAILED', 'C1'], ['EVSED_AUTH_ASK_FAILED', 'U1']]);
  }),
);

test(
  '9.2.1 LocalAuthListEnabled=false - the list is not used for decisions',
  withAuth({ settings: { LocalPreAuthorize: true, AllowOfflineTxForUnknownId: true } }, async ({ svc, settings, offline }) => {
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'L1', info: { status: 'Blocked' } }] });
    settings.set('LocalAuthListEnabled', false);
    assert.equal(await svc.authorizeStart('L1', offline), { accepted: true, info: { status: 'Accepted' }, source: 'offlineUnknown' });
  }),
);

test(
  'C10.FR.11 / 16 §9.1.2 AuthorizationCacheEnabled=false - no lookups in and no writes to the cache',
  withAuth({ settings: { LocalPreAuthorize: true } }, async ({ svc, store, settings, online, offline, asked, answers }) => {
    svc.learn('C1', { status: 'Accepted' });
    settings.set('AuthorizationCacheEnabled', false);
    assert.equal(await svc.authorizeStart('C1', offline), { accepted: false, info: { status: 'Unknown' }, source: 'offlineRefused' });
    answers.set('N1', { status: 'Accepted' });
    assert.equal(await svc.authorizeStart('N1', online), { accepted: true, info: { status: 'Accepted' }, source: 'csms' });
    assert.equal(asked, ['N1']);
    assert.equal([store.cacheCount(), store.cacheGet('C1')?.lastUsedMs], [1, T0]);
  }),
);

test(
  'C12.FR.09 / C16.FR.03 - an id in the master pass group may not start a session',
  withAuth({ settings: { LocalPreAuthorize: true }, options: { masterPassGroupId: 'Police' } }, async ({ svc, online, offline, answers }) => {
    answers.set('M1', { status: 'Accepted', group: 'POLICE' });
    assert.equal(await svc.authorizeStart('M1', online), { accepted: false, info: { status: 'Accepted', group: 'POLICE' }, source: 'csms' });
    assert.equal(await svc.authorizeStart('M1', offline), { accepted: false, info: { status: 'Accepted', group: 'POLICE' }, source: 'cache' });
  }),
);

test(
  '16 §7.15 CiString - ids match regardless of case',
  withAuth({ settings: { LocalPreAuthorize: true } }, async ({ svc, online, asked }) => {
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: '04A1B2C3', info: { status: 'Accepted' } }] });
    assert.equal(await svc.authorizeStart('04a1b2c3', online), { accepted: true, info: { status: 'Accepted' }, source: 'localList' });
    assert.equal(asked, []);
  }),
);

test.run();
