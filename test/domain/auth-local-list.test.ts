/**
 * AuthService.sendLocalList / localListVersion: full and differential updates, version rules,
 * size limits, duplicates, disabled list, not supported, all-or-nothing. Real SQLite file.
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
import { AuthService, type LocalListUpdate } from '../../src/domain/auth.js';

const T0 = 1_700_000_000_000;

interface Fx {
  svc: AuthService;
  store: AuthStore;
  settings: Settings;
  warnings: Array<Record<string, unknown>>;
}

function withAuth(
  setup: { settings?: Record<string, unknown>; wrapStore?: (s: AuthStore) => AuthStore },
  fn: (fx: Fx) => void,
): () => void {
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-auth-list-'));
    const db = openDatabase(dir);
    try {
      const store = createAuthStore(db);
      const settings = new Settings(createSettingsStore(db), setup.settings ?? {});
      const warnings: Array<Record<string, unknown>> = [];
      const log = { warn: (obj: Record<string, unknown>) => void warnings.push(obj) };
      const svcStore = setup.wrapStore ? setup.wrapStore(store) : store;
      fn({ svc: new AuthService({ store: svcStore, settings, clock: { now: () => T0 }, log }), store, settings, warnings });
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const full = (version: number, ...tokens: string[]): LocalListUpdate => ({
  version,
  type: 'Full',
  entries: tokens.map((token) => ({ token, info: { status: 'Accepted' } })),
});

const listed = (store: AuthStore) => store.listAll().map((r) => `${r.idTag}:${r.status}`);

test(
  '16 §5.10 / D02.FR.02 - a list never set has version 0',
  withAuth({}, ({ svc }) => {
    assert.is(svc.localListVersion(), 0);
    assert.is(svc.localListSupported(), true);
  }),
);

test(
  '16 §6.41 / D01.FR.15 - Full replaces the whole list and sets the version',
  withAuth({}, ({ svc, store }) => {
    assert.is(svc.sendLocalList(full(5, 'A', 'B')), 'Accepted');
    assert.is(
      svc.sendLocalList({ version: 3, type: 'Full', entries: [{ token: 'c', info: { status: 'Blocked', group: 'G', expiryMs: T0 + 1 } }] }),
      'Accepted',
    );
    assert.equal(store.listAll(), [{ idTag: 'C', status: 'Blocked', group: 'G', expiryMs: T0 + 1 }]);
    assert.is(svc.localListVersion(), 3);
  }),
);

test(
  '16 §6.41 / D01.FR.04 / D02 remark - Full without entries empties the list; the version is still set (> 0)',
  withAuth({}, ({ svc, store }) => {
    svc.sendLocalList(full(1, 'A'));
    assert.is(svc.sendLocalList(full(2)), 'Accepted');
    assert.equal([store.listCount(), svc.localListVersion()], [0, 2]);
  }),
);

test(
  '16 §7.1 / D01.FR.16/17 - Differential adds or replaces entries with information and removes those without',
  withAuth({}, ({ svc, store }) => {
    svc.sendLocalList(full(1, 'A', 'B'));
    const status = svc.sendLocalList({
      version: 2,
      type: 'Differential',
      entries: [{ token: 'a', info: { status: 'Blocked' } }, { token: 'B' }, { token: 'C', info: { status: 'Accepted' } }, { token: 'NOT-THERE' }],
    });
    assert.is(status, 'Accepted');
    assert.equal(listed(store), ['A:Blocked', 'C:Accepted']);
    assert.is(svc.localListVersion(), 2);
  }),
);

test(
  '16 §6.41 / D01.FR.05 - Differential without entries changes no entry but sets the version',
  withAuth({}, ({ svc, store }) => {
    svc.sendLocalList(full(1, 'A'));
    assert.is(svc.sendLocalList({ version: 7, type: 'Differential', entries: [] }), 'Accepted');
    assert.equal([listed(store), svc.localListVersion()], [['A:Accepted'], 7]);
  }),
);

test(
  '16 §7.47 / D01.FR.19 - Differential with a version not greater than the current one: VersionMismatch, nothing changes',
  withAuth({}, ({ svc, store, warnings }) => {
    svc.sendLocalList(full(4, 'A'));
    for (const version of [4, 3]) {
      assert.is(svc.sendLocalList({ version, type: 'Differential', entries: [{ token: 'A' }] }), 'VersionMismatch');
    }
    assert.equal([listed(store), svc.localListVersion()], [['A:Accepted'], 4]);
    assert.equal(warnings.map((w) => [w.code, w.status]), [['EVSED_AUTH_LIST_REFUSED', 'VersionMismatch'], ['EVSED_AUTH_LIST_REFUSED', 'VersionMismatch']]);
  }),
);

test(
  '16-E 3.52 / D01.FR.18 - version 0 or -1 (or not a whole number) is Failed for either type, nothing changes',
  withAuth({}, ({ svc, store }) => {
    svc.sendLocalList(full(1, 'A'));
    for (const version of [0, -1, 2.5]) {
      assert.is(svc.sendLocalList(full(version, 'B')), 'Failed', `Full ${version}`);
      assert.is(svc.sendLocalList({ version, type: 'Differential', entries: [] }), 'Failed', `Differential ${version}`);
    }
    assert.equal([listed(store), svc.localListVersion()], [['A:Accepted'], 1]);
  }),
);

test(
  '16 §9.2.3 / D01.FR.11 - more entries than SendLocalListMaxLength: Failed, nothing changes',
  withAuth({ settings: { SendLocalListMaxLength: 2 } }, ({ svc, store }) => {
    assert.is(svc.sendLocalList(full(1, 'A', 'B')), 'Accepted');
    assert.is(svc.sendLocalList(full(2, 'A', 'B', 'C')), 'Failed');
    assert.is(svc.sendLocalList({ version: 2, type: 'Differential', entries: [{ token: 'A' }, { token: 'B' }, { token: 'C' }] }), 'Failed');
    assert.equal([listed(store), svc.localListVersion()], [['A:Accepted', 'B:Accepted'], 1]);
  }),
);

test(
  '16 §9.2.2 LocalAuthListMaxLength - a list that would grow beyond it: Failed, nothing changes',
  withAuth({ settings: { LocalAuthListMaxLength: 2 } }, ({ svc, store }) => {
    assert.is(svc.sendLocalList(full(1, 'A', 'B', 'C')), 'Failed');
    assert.is(svc.sendLocalList(full(1, 'A', 'B')), 'Accepted');
    const grow = { version: 2, type: 'Differential' as const, entries: [{ token: 'C', info: { status: 'Accepted' as const } }] };
    assert.is(svc.sendLocalList(grow), 'Failed');
    assert.equal([listed(store), svc.localListVersion()], [['A:Accepted', 'B:Accepted'], 1]);
    // removing one and adding one in the same update stays within the limit; replacing does not grow
    const swap = { version: 2, type: 'Differential' as const, entries: [{ token: 'A' }, { token: 'B', info: { status: 'Blocked' as const } }, grow.entries[0]!] };
    assert.is(svc.sendLocalList(swap), 'Accepted');
    assert.equal([listed(store), svc.localListVersion()], [['B:Blocked', 'C:Accepted'], 2]);
  }),
);

test(
  '16 §6.41 / D01.FR.06 - the same id twice (in any case): Failed',
  withAuth({}, ({ svc, store }) => {
    assert.is(svc.sendLocalList(full(1, 'AB', 'ab')), 'Failed');
    assert.is(svc.sendLocalList({ version: 1, type: 'Differential', entries: [{ token: 'X' }, { token: 'X', info: { status: 'Accepted' } }] }), 'Failed');
    assert.equal([store.listCount(), svc.localListVersion()], [0, 0]);
  }),
);

test(
  '16 §7.1 - a Full entry without information: Failed',
  withAuth({}, ({ svc }) => {
    assert.is(svc.sendLocalList({ version: 1, type: 'Full', entries: [{ token: 'A', info: { status: 'Accepted' } }, { token: 'B' }] }), 'Failed');
    assert.is(svc.localListVersion(), 0);
  }),
);

test(
  '16 §3.5.2 / §7.47 / D02.FR.03 - a disabled list still takes updates; its version reads 0 until it is enabled again',
  withAuth({ settings: { LocalAuthListEnabled: false } }, ({ svc, store, settings }) => {
    assert.is(svc.sendLocalList(full(3, 'A')), 'Accepted');
    assert.equal([listed(store), svc.localListVersion()], [['A:Accepted'], 0]);
    assert.is(svc.sendLocalList({ version: 3, type: 'Differential', entries: [] }), 'VersionMismatch'); // checked against the stored version
    settings.set('LocalAuthListEnabled', true);
    assert.is(svc.localListVersion(), 3);
  }),
);

test(
  '16 §7.47 NotSupported - only when LocalAuthListManagement is not a supported feature profile',
  withAuth({ settings: { SupportedFeatureProfiles: ['Core', 'Reservation'] } }, ({ svc, store }) => {
    assert.is(svc.localListSupported(), false);
    assert.is(svc.sendLocalList(full(1, 'A')), 'NotSupported');
    assert.is(store.listCount(), 0);
  }),
);

test(
  '16 §3.5.3 - ids that become listed are dropped from the cache',
  withAuth({}, ({ svc, store }) => {
    svc.learn('A', { status: 'Accepted' });
    svc.learn('B', { status: 'Accepted' });
    svc.sendLocalList({ version: 1, type: 'Differential', entries: [{ token: 'a', info: { status: 'Blocked' } }] });
    assert.equal([store.cacheGet('A'), store.cacheGet('B')?.idTag], [undefined, 'B']);
  }),
);

test(
  'D01 failure postcondition - a write failure answers Failed and leaves list and version as they were',
  withAuth(
    {
      wrapStore: (s) => ({
        ...s,
        listApplyDifferential: () => {
          throw new Error('database or disk is full');
        },
      }),
    },
    ({ svc, store, warnings }) => {
      svc.sendLocalList(full(1, 'A'));
      assert.is(svc.sendLocalList({ version: 2, type: 'Differential', entries: [{ token: 'A' }] }), 'Failed');
      assert.equal([listed(store), svc.localListVersion()], [['A:Accepted'], 1]);
      assert.equal(warnings.map((w) => [w.code, (w.err as Error).message]), [['EVSED_AUTH_STORE', 'database or disk is full']]);
    },
  ),
);

test.run();
