/**
 * validate.ts: every reason code, and the replacement rules (1.6 §3.13.2 / §5.16.3, 2.0.1 K01.FR.05,
 * K01.FR.06/39 as an option, K01.FR.52/53 DuplicateProfile as an option).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  PROFILE_REJECTIONS,
  validateProfile,
  type InstallRules,
  type ProfileRejection,
  type ValidationContext,
} from '../../../src/domain/smart-charging/validate.js';
import type { ChargingProfile } from '../../../src/domain/smart-charging/model.js';
import { prof, type ProfileSpec } from './fixtures.js';

function ctx(o: Partial<ValidationContext> = {}): ValidationContext {
  return {
    installed: [],
    limits: { maxStackLevel: 10, maxPeriods: 5, units: ['A', 'W'], maxInstalled: 4 },
    connectorExists: (c) => c === 1 || c === 2,
    connectorPhases: (c) => (c === 2 ? 1 : 3),
    txRunning: (c, txId) => c === 1 && (txId === undefined || txId === 'tx-1'),
    ...o,
  };
}

const base: ProfileSpec = { id: 1, startMs: 0, periods: [[0, 16]] };

function rejects(reason: ProfileRejection, p: ChargingProfile, c: ValidationContext = ctx()): void {
  const r = validateProfile(p, c);
  assert.equal(r.ok ? 'accepted' : r.reason, reason);
  if (!r.ok) assert.ok(r.message.startsWith(PROFILE_REJECTIONS[reason]), r.message);
}

const withSchedule = (s: ProfileSpec, change: (p: ChargingProfile) => void): ChargingProfile => {
  const p = prof(s);
  change(p);
  return p;
};

test('a well-formed default profile is accepted and replaces nothing', () => {
  assert.equal(validateProfile(prof(base), ctx()), { ok: true, replaces: [] });
});

test('schedule shape: periods, first at 0, order, limits, duration, startSchedule by kind, recurrency', () => {
  rejects('noSchedule', withSchedule(base, (p) => (p.schedules = [])));
  rejects('noPeriods', prof({ ...base, periods: [] }));
  rejects('firstPeriodNotZero', prof({ ...base, periods: [[10, 16]] }));
  rejects('periodsOutOfOrder', prof({ ...base, periods: [[0, 16], [60, 10], [60, 8]] }));
  rejects('periodsOutOfOrder', prof({ ...base, periods: [[0, 16], [1.5, 10]] }));
  rejects('invalidLimit', prof({ ...base, periods: [[0, -1]] }));
  rejects('invalidLimit', prof({ ...base, periods: [[0, Number.NaN]] }));
  rejects('invalidDuration', prof({ ...base, durationS: -5 }));
  rejects('missingStartSchedule', withSchedule(base, (p) => delete p.schedules[0]!.startScheduleMs));
  rejects('unexpectedStartSchedule', withSchedule({ ...base, kind: 'relative' }, (p) => (p.schedules[0]!.startScheduleMs = 0)));
  rejects('missingRecurrency', prof({ ...base, kind: 'recurring' }));
  rejects('invalidValidity', prof({ ...base, validFromMs: 10, validToMs: 10 }));
});

test('phases: numberPhases 1–3, phaseToUse only with 1 phase and never switchable, strict phases (K01.FR.43)', () => {
  rejects('invalidNumberPhases', prof({ ...base, periods: [[0, 16, 4]] }));
  rejects('invalidPhaseToUse', withSchedule(base, (p) => (p.schedules[0]!.periods[0]!.phaseToUse = 2)));
  rejects(
    'phaseSwitchingUnsupported',
    withSchedule({ ...base, periods: [[0, 16, 1]] }, (p) => (p.schedules[0]!.periods[0]!.phaseToUse = 2)),
  );
  const onePhaseOnThree = prof({ ...base, periods: [[0, 16, 1]] });
  assert.is(validateProfile(onePhaseOnThree, ctx()).ok, true);
  rejects('phasesNotEnforceable', onePhaseOnThree, ctx({ rules: { strictPhases: true } }));
  assert.is(validateProfile(prof({ ...base, connector: 2, periods: [[0, 16, 3]] }), ctx({ rules: { strictPhases: true } })).ok, true);
});

test('purpose and scope: station max on 0 only and not relative; tx needs a connector and its transaction', () => {
  rejects('stationMaxNotOnStation', prof({ ...base, purpose: 'stationMax', connector: 1 }));
  rejects('stationMaxRelative', withSchedule({ ...base, purpose: 'stationMax', kind: 'relative' }, (p) => delete p.schedules[0]!.startScheduleMs));
  rejects('txOnStation', prof({ ...base, purpose: 'tx', connector: 0 }));
  rejects('noTransaction', prof({ ...base, purpose: 'tx', connector: 2 }));
  rejects('noTransaction', prof({ ...base, purpose: 'tx', connector: 1, transactionId: 'tx-9' }));
  assert.is(validateProfile(prof({ ...base, purpose: 'tx', connector: 1, transactionId: 'tx-1' }), ctx()).ok, true);
  rejects('unknownConnector', prof({ ...base, connector: 3 }));
  rejects('unknownConnector', prof({ ...base, connector: -1 }));
});

test('capabilities: stack level, periods per schedule, rate unit, installed count', () => {
  rejects('invalidStackLevel', prof({ ...base, stackLevel: 11 }));
  rejects('invalidStackLevel', prof({ ...base, stackLevel: -1 }));
  assert.is(validateProfile(prof({ ...base, stackLevel: 10 }), ctx()).ok, true);
  rejects('tooManyPeriods', prof({ ...base, periods: [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]] }));
  rejects('unitNotSupported', prof({ ...base, unit: 'W' }), ctx({ limits: { maxStackLevel: 10, maxPeriods: 5, units: ['A'], maxInstalled: 4 } }));
  const four = [1, 2, 3, 4].map((i) => prof({ ...base, id: 10 + i, stackLevel: i }));
  rejects('tooManyProfiles', prof({ ...base, id: 20, stackLevel: 0 }), ctx({ installed: four }));
  // Replacing one of them does not add to the count.
  assert.equal(validateProfile(prof({ ...base, id: 11, stackLevel: 1 }), ctx({ installed: four })), { ok: true, replaces: [11] });
});

test('1.6 §5.16.3: the same id replaces; the same purpose, stack level and connector replaces', () => {
  const old = prof({ ...base, id: 7, stackLevel: 2 });
  const otherConnector = prof({ ...base, id: 8, stackLevel: 2, connector: 2 });
  const otherPurpose = prof({ ...base, id: 9, stackLevel: 2, purpose: 'stationMax', connector: 0 });
  const installed = [old, otherConnector, otherPurpose];
  assert.equal(validateProfile(prof({ ...base, id: 7, stackLevel: 5 }), ctx({ installed })), { ok: true, replaces: [7] });
  assert.equal(validateProfile(prof({ ...base, id: 30, stackLevel: 2 }), ctx({ installed })), { ok: true, replaces: [7] });
  // 1.6 §3.13.1: a connector profile does not replace the connector-0 one.
  const station = prof({ ...base, id: 40, connector: 0, stackLevel: 3 });
  assert.equal(validateProfile(prof({ ...base, id: 41, connector: 1, stackLevel: 3 }), ctx({ installed: [station] })), { ok: true, replaces: [] });
  // tx profiles: the same stack level replaces for the same transaction.
  const tx = prof({ ...base, id: 50, purpose: 'tx', transactionId: 'tx-1', stackLevel: 1 });
  assert.equal(
    validateProfile(prof({ ...base, id: 51, purpose: 'tx', transactionId: 'tx-1', stackLevel: 1 }), ctx({ installed: [tx] })),
    { ok: true, replaces: [50] },
  );
});

test("2.0.1 rules: same stack level with overlapping validity is refused ('reject'), disjoint validity is fine", () => {
  const rules: InstallRules = { sameStackLevel: 'reject' };
  const jan = prof({ ...base, id: 7, stackLevel: 2, validFromMs: 0, validToMs: 1000 });
  rejects('duplicateStackLevel', prof({ ...base, id: 8, stackLevel: 2, validFromMs: 500 }), ctx({ installed: [jan], rules }));
  assert.equal(validateProfile(prof({ ...base, id: 8, stackLevel: 2, validFromMs: 1000 }), ctx({ installed: [jan], rules })), {
    ok: true,
    replaces: [],
  });
  assert.equal(validateProfile(prof({ ...base, id: 7, stackLevel: 2 }), ctx({ installed: [jan], rules })), { ok: true, replaces: [7] });
});

test('K01.FR.52/53: a txDefault on 0 and one on a connector with the same stack level → duplicateProfile', () => {
  const rules: InstallRules = { rejectTxDefaultOnBothScopes: true, sameStackLevel: 'reject' };
  const onConnector = prof({ ...base, id: 1, connector: 1, stackLevel: 0 });
  const onStation = prof({ ...base, id: 2, connector: 0, stackLevel: 0 });
  rejects('duplicateProfile', prof({ ...base, id: 3, connector: 0 }), ctx({ installed: [onConnector], rules }));
  rejects('duplicateProfile', prof({ ...base, id: 3, connector: 2 }), ctx({ installed: [onStation], rules }));
  assert.is(validateProfile(prof({ ...base, id: 2, connector: 0 }), ctx({ installed: [onStation], rules })).ok, true);
  assert.is(validateProfile(prof({ ...base, id: 3, connector: 0, stackLevel: 1 }), ctx({ installed: [onConnector], rules })).ok, true);
  // Not asked for (1.6): both may exist.
  assert.is(validateProfile(prof({ ...base, id: 3, connector: 0 }), ctx({ installed: [onConnector] })).ok, true);
});

test('external constraints: only the station sets them (K01.FR.22); the CSMS cannot replace one by id (K01.FR.05)', () => {
  const ext = prof({ ...base, id: 60, purpose: 'external', connector: 0, source: 'ems' });
  rejects('externalNotAllowed', ext);
  assert.is(validateProfile(ext, ctx({ rules: { installer: 'station' } })).ok, true);
  rejects('externalNotReplaceable', prof({ ...base, id: 60 }), ctx({ installed: [ext] }));
});

test.run();
