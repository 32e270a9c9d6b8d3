/**
 * Clock alignment of meter data (ClockAlignedDataInterval, 1.6 §9.1.5 / errata 3.14.2:
 * "evenly spaced aggregation intervals per day, starting at 00:00:00 (midnight)"):
 * nextAlignedMs is strictly after now, intervals that do not divide a day restart at midnight,
 * UTC offsets move midnight, and bad input throws with a stable code.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alignedSlotStartMs, MeteringError, nextAlignedMs } from '../../src/domain/metering.js';
import type { MeteringErrorCode } from '../../src/domain/metering.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const next = (now: string, intervalS: number, offsetMin = 0) => iso(nextAlignedMs(ms(now), intervalS, offsetMin));
const slot = (now: string, intervalS: number, offsetMin = 0) => iso(alignedSlotStartMs(ms(now), intervalS, offsetMin));

test('900 s: quarter hours; strictly after now, also exactly on a boundary', () => {
  assert.is(next('2026-03-10T10:07:30.000Z', 900), '2026-03-10T10:15:00.000Z');
  assert.is(next('2026-03-10T10:14:59.999Z', 900), '2026-03-10T10:15:00.000Z');
  assert.is(next('2026-03-10T10:15:00.000Z', 900), '2026-03-10T10:30:00.000Z');
  assert.is(next('2026-03-10T10:15:00.001Z', 900), '2026-03-10T10:30:00.000Z');
  assert.is(next('2026-03-10T23:50:00.000Z', 900), '2026-03-11T00:00:00.000Z');
  assert.is(next('2026-03-10T00:00:00.000Z', 900), '2026-03-10T00:15:00.000Z');
});

test('3600 s: whole hours, across midnight and month end', () => {
  assert.is(next('2026-03-10T10:07:30.000Z', 3600), '2026-03-10T11:00:00.000Z');
  assert.is(next('2026-03-10T23:30:00.000Z', 3600), '2026-03-11T00:00:00.000Z');
  assert.is(next('2026-03-31T23:00:00.000Z', 3600), '2026-04-01T00:00:00.000Z');
});

test('7 h does not divide a day: 00:00, 07:00, 14:00, 21:00, then 00:00 again', () => {
  const seen: string[] = [];
  let t = ms('2026-03-10T00:00:00.000Z');
  for (let i = 0; i < 6; i++) {
    t = nextAlignedMs(t, 7 * 3600);
    seen.push(iso(t));
  }
  assert.equal(seen, [
    '2026-03-10T07:00:00.000Z',
    '2026-03-10T14:00:00.000Z',
    '2026-03-10T21:00:00.000Z',
    '2026-03-11T00:00:00.000Z',
    '2026-03-11T07:00:00.000Z',
    '2026-03-11T14:00:00.000Z',
  ]);
  assert.is(next('2026-03-10T22:30:00.000Z', 7 * 3600), '2026-03-11T00:00:00.000Z');
  assert.is(next('2026-03-10T20:59:59.999Z', 7 * 3600), '2026-03-10T21:00:00.000Z');
});

test('7 s does not divide a day either: the last slot of the day is 23:59:54, then midnight', () => {
  assert.is(next('2026-03-10T23:59:50.000Z', 7), '2026-03-10T23:59:54.000Z');
  assert.is(next('2026-03-10T23:59:55.000Z', 7), '2026-03-11T00:00:00.000Z');
  assert.is(next('2026-03-11T00:00:00.000Z', 7), '2026-03-11T00:00:07.000Z');
});

test('a day or longer aligns to midnight only', () => {
  assert.is(next('2026-03-10T10:00:00.000Z', 86_400), '2026-03-11T00:00:00.000Z');
  assert.is(next('2026-03-11T00:00:00.000Z', 86_400), '2026-03-12T00:00:00.000Z');
  assert.is(next('2026-03-10T10:00:00.000Z', 100_000), '2026-03-11T00:00:00.000Z');
});

test('UTC offset moves midnight: +120 min, -300 min, +330 min (half-hour zone)', () => {
  // 23:50 local (+02:00) → local midnight = 22:00Z.
  assert.is(next('2026-03-10T21:50:00.000Z', 3600, 120), '2026-03-10T22:00:00.000Z');
  assert.is(next('2026-03-10T21:50:00.000Z', 7 * 3600, 120), '2026-03-10T22:00:00.000Z');
  // 00:00 local (+02:00) → 07:00 local = 05:00Z.
  assert.is(next('2026-03-10T22:00:00.000Z', 7 * 3600, 120), '2026-03-11T05:00:00.000Z');
  // 23:30 local (-05:00) on the 9th → local midnight = 05:00Z on the 10th.
  assert.is(next('2026-03-10T04:30:00.000Z', 7 * 3600, -300), '2026-03-10T05:00:00.000Z');
  // 15:30 local (+05:30): hours are on the half hour in UTC.
  assert.is(next('2026-03-10T10:00:00.000Z', 3600, 330), '2026-03-10T10:30:00.000Z');
  // A divisor of 30 min is the same grid in any whole or half-hour zone.
  assert.is(next('2026-03-10T10:07:30.000Z', 900, 330), '2026-03-10T10:15:00.000Z');
});

test('alignedSlotStartMs: the slot containing now (now itself on a boundary); 7 h slot at 23:00 starts 21:00', () => {
  assert.is(slot('2026-03-10T10:07:30.000Z', 900), '2026-03-10T10:00:00.000Z');
  assert.is(slot('2026-03-10T10:15:00.000Z', 900), '2026-03-10T10:15:00.000Z');
  assert.is(slot('2026-03-10T23:00:00.000Z', 7 * 3600), '2026-03-10T21:00:00.000Z');
  assert.is(slot('2026-03-11T06:59:59.999Z', 7 * 3600), '2026-03-11T00:00:00.000Z');
  assert.is(slot('2026-03-10T21:50:00.000Z', 7 * 3600, 120), '2026-03-10T19:00:00.000Z');
  assert.is(slot('2026-03-10T04:30:00.000Z', 7 * 3600, -300), '2026-03-10T02:00:00.000Z');
});

test('interval ≤ 0 is disabled: next is Infinity, slot start is -Infinity', () => {
  const now = ms('2026-03-10T10:07:30.000Z');
  assert.is(nextAlignedMs(now, 0), Number.POSITIVE_INFINITY);
  assert.is(nextAlignedMs(now, -900), Number.POSITIVE_INFINITY);
  assert.is(alignedSlotStartMs(now, 0), Number.NEGATIVE_INFINITY);
});

function throwsCode(fn: () => unknown, code: MeteringErrorCode): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, MeteringError);
    assert.is((err as MeteringError).code, code);
    return;
  }
  assert.unreachable(`expected MeteringError ${code}`);
}

test('bad input throws MeteringError with a stable code', () => {
  const now = ms('2026-03-10T10:07:30.000Z');
  throwsCode(() => nextAlignedMs(Number.NaN, 900), 'invalidTime');
  throwsCode(() => alignedSlotStartMs(Number.POSITIVE_INFINITY, 900), 'invalidTime');
  throwsCode(() => nextAlignedMs(now, Number.NaN), 'invalidInterval');
  throwsCode(() => nextAlignedMs(now, Number.POSITIVE_INFINITY), 'invalidInterval');
  throwsCode(() => nextAlignedMs(now, 900, 1440), 'invalidUtcOffset');
  throwsCode(() => alignedSlotStartMs(now, 900, Number.NaN), 'invalidUtcOffset');
  assert.is(iso(nextAlignedMs(now, 900, 1439)), '2026-03-10T10:16:00.000Z');
});

test.run();
