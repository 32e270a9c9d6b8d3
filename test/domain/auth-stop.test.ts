/**
 * AuthService.mayStop: the same id, the same group (parentIdTag / groupIdToken) from the list,
 * the cache or the CSMS, offline behaviour, master pass. Real SQLite file, fake CSMS, manual clock.
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
  clock: { nowMs: number; now(): number };
  asked: string[];
  answers: Map<string, AuthInfo | 'fail'>;
  online: AuthContext;
  offline: AuthContext;
}

function withAuth(
  setup: { settings?: Record<string, unknown>; options?: Partial<AuthServiceOptions> },
  fn: (fx: Fx) => Promise<void> | void,
): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-auth-stop-'));
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
      const svc = new AuthService({ store, settings, clock, ...setup.options });
      await fn({ svc, store, clock, asked, answers, online: { online: true, ask }, offline: { online: false, ask } });
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  '16 §4.1 / C01.FR.03 - the id that started may stop, without Authorize, online or offline, in any case',
  withAuth({}, async ({ svc, online, offline, asked }) => {
    assert.is(await svc.mayStop('04ab', { token: '04AB' }, online), true);
    assert.is(await svc.mayStop('04AB', { token: '04AB', group: 'G' }, offline), true);
    assert.equal(asked, []);
  }),
);

test(
  'C09.FR.07 / 16 §3.10 - a group known from the cache or the list decides without Authorize',
  withAuth({}, async ({ svc, online, asked }) => {
    svc.learn('FAMILY2', { status: 'Accepted', group: 'acct-1' });
    svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'OTHER', info: { status: 'Accepted', group: 'acct-2' } }] });
    assert.is(await svc.mayStop('FAMILY2', { token: 'FAMILY1', group: 'ACCT-1' }, online), true);
    assert.is(await svc.mayStop('OTHER', { token: 'FAMILY1', group: 'acct-1' }, online), false);
    assert.equal(asked, []);
  }),
);

test(
  'OCTT TC_068/069_CS - a presented id whose group is the starting id may stop',
  withAuth({}, async ({ svc, offline }) => {
    svc.learn('CHILD', { status: 'Accepted', group: 'PARENT' });
    assert.is(await svc.mayStop('CHILD', { token: 'PARENT' }, offline), true);
  }),
);

test(
  'the owner group, when not given, is taken from the list or cache',
  withAuth({}, async ({ svc, offline }) => {
    svc.learn('OWNER', { status: 'Accepted', group: 'G' });
    svc.learn('MATE', { status: 'Accepted', group: 'G' });
    assert.is(await svc.mayStop('MATE', { token: 'OWNER' }, offline), true);
    assert.is(await svc.mayStop('MATE', { token: 'STRANGER' }, offline), false);
  }),
);

test(
  'C09.FR.05 - online, presented id not known locally: Authorize, learn the answer, compare groups',
  withAuth({}, async ({ svc, store, online, asked, answers }) => {
    answers.set('MATE', { status: 'Accepted', group: 'G' });
    answers.set('NOPE', { status: 'Accepted', group: 'H' });
    answers.set('LONER', { status: 'Accepted' });
    assert.is(await svc.mayStop('MATE', { token: 'OWNER', group: 'G' }, online), true);
    assert.is(await svc.mayStop('NOPE', { token: 'OWNER', group: 'G' }, online), false);
    assert.is(await svc.mayStop('LONER', { token: 'OWNER', group: 'G' }, online), false);
    assert.equal(asked, ['MATE', 'NOPE', 'LONER']);
    assert.equal(store.cacheGet('MATE'), { idTag: 'MATE', status: 'Accepted', group: 'G', updatedAtMs: T0, lastUsedMs: T0 });
  }),
);

test(
  'C09.FR.11 - an id of the same group that is not Accepted may not stop; online it is asked about again first',
  withAuth({}, async ({ svc, online, offline, asked, answers }) => {
    svc.learn('MATE', { status: 'Blocked', group: 'G' });
    assert.is(await svc.mayStop('MATE', { token: 'OWNER', group: 'G' }, offline), false);
    answers.set('MATE', { status: 'Blocked', group: 'G' });
    assert.is(await svc.mayStop('MATE', { token: 'OWNER', group: 'G' }, online), false);
    answers.set('MATE', { status: 'Accepted', group: 'G' });
    assert.is(await svc.mayStop('MATE', { token: 'OWNER', group: 'G' }, online), true);
    assert.equal(asked, ['MATE', 'MATE']);
  }),
);

test(
  'C09.FR.11 - an expired cached id of the same group may not stop offline',
  withAuth({}, async ({ svc, clock, offline }) => {
    svc.learn('MATE', { status: 'Accepted', group: 'G', expiryMs: T0 + 1 });
    clock.nowMs = T0 + 2;
    assert.is(await svc.mayStop('MATE', { token: 'OWNER', group: 'G' }, offline), false);
  }),
);

test(
  'offline with the group unknown, or `ask` rejecting: no',
  withAuth({}, async ({ svc, online, offline, asked, answers }) => {
    assert.is(await svc.mayStop('MATE', { token: 'OWNER', group: 'G' }, offline), false);
    assert.equal(asked, []);
    answers.set('MATE', 'fail');
    assert.is(await svc.mayStop('MATE', { token: 'OWNER', group: 'G' }, online), false);
    assert.equal(asked, ['MATE']);
  }),
);

test(
  'a locally Accepted id without a group: online the CSMS is asked for it',
  withAuth({}, async ({ svc, online, asked, answers }) => {
    svc.learn('MATE', { status: 'Accepted' });
    answers.set('MATE', { status: 'Accepted', group: 'G' });
    assert.is(await svc.mayStop('MATE', { token: 'OWNER', group: 'G' }, online), true);
    assert.equal(asked, ['MATE']);
  }),
);

test(
  'C16.FR.02/04 - an Accepted id in the master pass group may stop any session',
  withAuth({ options: { masterPassGroupId: 'POLICE' } }, async ({ svc, online, offline, answers }) => {
    answers.set('M1', { status: 'Accepted', group: 'police' });
    assert.is(await svc.mayStop('M1', { token: 'OWNER', group: 'G' }, online), true);
    assert.is(await svc.mayStop('M1', { token: 'OTHER' }, offline), true);
  }),
);

test.run();
