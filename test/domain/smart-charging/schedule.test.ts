/**
 * schedule.ts: which period of one profile is in force, and when that changes. Hand-worked from
 * the spec's examples: 1.6 §3.13.7 / 2.0.1 K §3.6 daily profile, 2.0.1 §3.6.1 weekly exception,
 * recurrence across midnight and across the week boundary, relative schedules, validity,
 * future startSchedule (K01.FR.30), recurrence shorter than the schedule (16-E 3.44).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { activeSchedule, nextProfileChangeMs } from '../../../src/domain/smart-charging/schedule.js';
import { at, prof } from './fixtures.js';

const limitOf = (p: Parameters<typeof activeSchedule>[0], t: number, tx?: number) => activeSchedule(p, t, tx)?.period.limit ?? null;

// 1.6 §3.13.7 (and 2.0.1 §3.6): 11 kW, 6 kW from 08:00 to 20:00, every day since 2013-01-01.
const daily = prof({
  purpose: 'txDefault',
  kind: 'recurring',
  recurrency: 'daily',
  startMs: at('2013-01-01T00:00:00Z'),
  durationS: 86_400,
  unit: 'W',
  periods: [
    [0, 11_000, 3],
    [28_800, 6_000, 3],
    [72_000, 11_000, 3],
  ],
});

test('1.6 §3.13.7 daily profile: 11 kW at night, 6 kW from 08:00 to 20:00, any day years later', () => {
  assert.is(limitOf(daily, at('2026-05-10T07:59:59Z')), 11_000);
  assert.is(limitOf(daily, at('2026-05-10T08:00:00Z')), 6_000);
  assert.is(limitOf(daily, at('2026-05-10T19:59:59.999Z')), 6_000);
  assert.is(limitOf(daily, at('2026-05-10T20:00:00Z')), 11_000);
  const a = activeSchedule(daily, at('2026-05-10T12:00:00Z'))!;
  assert.is(a.startMs, at('2026-05-10T00:00:00Z'));
  assert.is(a.periodIndex, 1);
  assert.is(a.untilMs, at('2026-05-10T20:00:00Z'));
});

test('daily recurrence across midnight: the last period ends at 00:00, the next day starts at period 0', () => {
  const late = activeSchedule(daily, at('2026-05-10T23:59:59.999Z'))!;
  assert.is(late.periodIndex, 2);
  assert.is(late.untilMs, at('2026-05-11T00:00:00Z'));
  assert.is(nextProfileChangeMs(daily, at('2026-05-10T23:00:00Z')), at('2026-05-11T00:00:00Z'));
  const next = activeSchedule(daily, at('2026-05-11T00:00:00Z'))!;
  assert.is(next.startMs, at('2026-05-11T00:00:00Z'));
  assert.is(next.periodIndex, 0);
});

// A night tariff from 22:00 to 06:00: 16 A until midnight, then 10 A; nothing during the day.
const night = prof({
  kind: 'recurring',
  recurrency: 'daily',
  startMs: at('2026-01-01T22:00:00Z'),
  durationS: 8 * 3600,
  periods: [
    [0, 16],
    [7200, 10],
  ],
});

test('a daily schedule that spans midnight keeps its occurrence from the evening before', () => {
  assert.is(limitOf(night, at('2026-03-02T23:00:00Z')), 16);
  const a = activeSchedule(night, at('2026-03-03T01:00:00Z'))!;
  assert.is(a.period.limit, 10);
  assert.is(a.startMs, at('2026-03-02T22:00:00Z'));
  assert.is(a.untilMs, at('2026-03-03T06:00:00Z'));
});

test('16-E 3.43: after the duration ends the profile imposes nothing until the next recurrence', () => {
  assert.is(activeSchedule(night, at('2026-03-03T06:00:00Z')), null);
  assert.is(activeSchedule(night, at('2026-03-03T21:59:59Z')), null);
  assert.is(nextProfileChangeMs(night, at('2026-03-03T06:30:00Z')), at('2026-03-03T22:00:00Z'));
});

test('K01.FR.30: nothing before startSchedule, even for a recurring profile; the first change is startSchedule', () => {
  assert.is(activeSchedule(night, at('2026-01-01T21:00:00Z')), null);
  assert.is(nextProfileChangeMs(night, at('2025-12-31T00:00:00Z')), at('2026-01-01T22:00:00Z'));
});

// 2.0.1 §3.6.1 (2): no limit on Sundays, weekly since Sunday 2020-01-05.
const sundays = prof({
  kind: 'recurring',
  recurrency: 'weekly',
  stackLevel: 2,
  startMs: at('2020-01-05T00:00:00Z'),
  durationS: 86_400,
  unit: 'W',
  periods: [[0, 999_999]],
});

test('2.0.1 §3.6.1 weekly exception: every Sunday, nothing on Monday, back on the next Sunday', () => {
  assert.is(limitOf(sundays, at('2020-12-27T12:00:00Z')), 999_999);
  assert.is(activeSchedule(sundays, at('2020-12-28T00:00:00Z')), null);
  assert.is(activeSchedule(sundays, at('2021-01-02T23:59:59Z')), null);
  assert.is(nextProfileChangeMs(sundays, at('2021-01-02T23:59:59Z')), at('2021-01-03T00:00:00Z'));
  assert.is(activeSchedule(sundays, at('2021-01-03T00:00:00Z'))!.startMs, at('2021-01-03T00:00:00Z'));
});

test('weekly recurrence across the week boundary: a Saturday-evening occurrence carries on into Sunday', () => {
  const weekend = prof({
    kind: 'recurring',
    recurrency: 'weekly',
    startMs: at('2020-01-04T20:00:00Z'), // a Saturday
    durationS: 14 * 3600,
    periods: [
      [0, 10],
      [4 * 3600, 16],
    ],
  });
  const sunday = activeSchedule(weekend, at('2020-03-01T02:00:00Z'))!; // Sunday after Saturday 2020-02-29
  assert.is(sunday.period.limit, 16);
  assert.is(sunday.startMs, at('2020-02-29T20:00:00Z'));
  assert.is(sunday.untilMs, at('2020-03-01T10:00:00Z'));
  assert.is(limitOf(weekend, at('2020-02-29T23:59:59Z')), 10);
  assert.is(activeSchedule(weekend, at('2020-03-01T10:00:00Z')), null);
  assert.is(nextProfileChangeMs(weekend, at('2020-03-01T10:00:00Z')), at('2020-03-07T20:00:00Z'));
});

test('16-E 3.44: a period beyond the recurrence is never executed; the day restarts at period 0', () => {
  const long = prof({
    kind: 'recurring',
    recurrency: 'daily',
    startMs: at('2026-01-01T00:00:00Z'),
    durationS: 30 * 3600,
    periods: [
      [0, 10],
      [25 * 3600, 6],
    ],
  });
  const a = activeSchedule(long, at('2026-04-01T23:59:00Z'))!;
  assert.is(a.period.limit, 10);
  assert.is(a.untilMs, at('2026-04-02T00:00:00Z'));
  assert.is(limitOf(long, at('2026-04-02T01:30:00Z')), 10);
});

const relative = prof({
  kind: 'relative',
  durationS: 3600,
  periods: [
    [0, 6],
    [600, 16],
  ],
});

test('relative schedules start with the transaction (K01.FR.41/42) and end with their duration', () => {
  const tx = at('2026-06-01T10:00:00Z');
  assert.is(activeSchedule(relative, tx - 1, tx), null);
  assert.is(limitOf(relative, tx + 599_999, tx), 6);
  assert.is(limitOf(relative, tx + 600_000, tx), 16);
  assert.is(activeSchedule(relative, tx + 3_600_000, tx), null);
  assert.is(nextProfileChangeMs(relative, tx + 10_000, tx), tx + 600_000);
  assert.is(nextProfileChangeMs(relative, tx + 600_000, tx), tx + 3_600_000);
  assert.is(nextProfileChangeMs(relative, tx + 3_600_000, tx), Infinity);
});

test('relative schedules without a transaction: the first period is in force and does not move', () => {
  const a = activeSchedule(relative, at('2026-06-01T10:00:00Z'))!;
  assert.is(a.period.limit, 6);
  assert.is(a.untilMs, Infinity);
  assert.is(nextProfileChangeMs(relative, at('2026-06-01T10:00:00Z')), Infinity);
});

test('validity (K01.FR.36/37): valid from validFrom inclusive to validTo exclusive; boundaries are changes', () => {
  const p = prof({
    startMs: at('2026-01-01T00:00:00Z'),
    validFromMs: at('2026-02-01T10:00:00Z'),
    validToMs: at('2026-02-01T11:00:00Z'),
    periods: [[0, 8]],
  });
  assert.is(activeSchedule(p, at('2026-02-01T09:59:59.999Z')), null);
  assert.is(nextProfileChangeMs(p, at('2026-02-01T09:00:00Z')), at('2026-02-01T10:00:00Z'));
  const a = activeSchedule(p, at('2026-02-01T10:00:00Z'))!;
  assert.is(a.period.limit, 8);
  assert.is(a.untilMs, at('2026-02-01T11:00:00Z'));
  assert.is(activeSchedule(p, at('2026-02-01T11:00:00Z')), null);
  assert.is(nextProfileChangeMs(p, at('2026-02-01T11:00:00Z')), Infinity);
});

test('K01.FR.11/12: a period holds until the next one or the duration; periods at/after duration never run', () => {
  const p = prof({
    startMs: 0,
    durationS: 100,
    periods: [
      [0, 10],
      [50, 12],
      [100, 20],
    ],
  });
  assert.is(limitOf(p, 49_999), 10);
  assert.is(limitOf(p, 50_000), 12);
  assert.is(activeSchedule(p, 50_000)!.untilMs, 100_000);
  assert.is(activeSchedule(p, 100_000), null);
  const open = prof({ startMs: 0, periods: [[0, 10]] });
  assert.is(activeSchedule(open, 10 * 365 * 86_400_000)!.untilMs, Infinity);
});

test.run();
