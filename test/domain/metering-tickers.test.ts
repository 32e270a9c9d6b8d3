/**
 * The metering tickers on fake time: AlignedTicker (ClockAlignedDataInterval) follows the
 * station clock — no drift, no burst after a forward jump, no repeated slot after a backward
 * jump, interval changes at once; PeriodicTicker (MeterValueSampleInterval) counts from start()
 * on a monotonic clock.
 *
 * Time: FakeTimers below is the system time and its timers; the station clock is the real
 * createClock() on top of it, so a clock synchronisation is `clock.synchronise(...)`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClock } from '../../src/domain/clock.js';
import type { Clock } from '../../src/domain/clock.js';
import { AlignedTicker, MeteringError, PeriodicTicker } from '../../src/domain/metering.js';
import type { TimerFns } from '../../src/domain/metering.js';

/** Fake system time and timers: time moves only in advance()/stall(); due timers run in
 * due-time order (ties in scheduling order) with nowMs at their due time (+ lateByMs). */
class FakeTimers implements TimerFns {
  nowMs: number;
  /** Every timer fires this much after its due time (an overloaded event loop). */
  lateByMs = 0;
  private seq = 0;
  private readonly entries = new Map<number, { dueMs: number; fn: () => void }>();

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    this.seq += 1;
    this.entries.set(this.seq, { dueMs: this.nowMs + Math.max(0, ms) + this.lateByMs, fn });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    this.entries.delete(handle as number);
  }

  pending(): number {
    return this.entries.size;
  }

  advance(ms: number): void {
    const targetMs = this.nowMs + ms;
    for (;;) {
      let nextId: number | null = null;
      let nextDue = Number.POSITIVE_INFINITY;
      for (const [id, e] of this.entries) {
        if (e.dueMs <= targetMs && e.dueMs < nextDue) {
          nextId = id;
          nextDue = e.dueMs;
        }
      }
      if (nextId === null) break;
      const entry = this.entries.get(nextId);
      this.entries.delete(nextId);
      this.nowMs = Math.max(this.nowMs, nextDue);
      entry?.fn();
    }
    this.nowMs = targetMs;
  }

  /** The event loop was blocked: time passes, nothing runs (overdue timers run at the next advance). */
  stall(ms: number): void {
    this.nowMs += ms;
  }
}

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const MIN = 60_000;

interface Rig {
  timers: FakeTimers;
  clock: Clock;
  ticks: string[];
  ticker: AlignedTicker;
  /** Station clock jumps by deltaMs (a synchronisation), system time does not move. */
  jump(deltaMs: number): void;
}

/** System time = station time = `startIso` at first; ticks are recorded as `slot@stationTime`. */
function alignedRig(startIso: string, intervalS: number, utcOffsetMinutes = 0): Rig {
  const timers = new FakeTimers(ms(startIso));
  const clock = createClock(() => timers.nowMs);
  const ticks: string[] = [];
  const ticker = new AlignedTicker({
    clock,
    timers,
    intervalS,
    utcOffsetMinutes,
    onTick: (slotMs) => ticks.push(`${iso(slotMs).slice(11, 19)}@${iso(clock.now()).slice(11, 23)}`),
  });
  return { timers, clock, ticks, ticker, jump: (deltaMs) => void clock.synchronise(clock.now() + deltaMs) };
}

test('aligned 900 s: ticks exactly at the quarter hours, first one after start, none at start', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  assert.is(r.timers.pending(), 0, 'nothing before start()');
  r.ticker.start();
  assert.is(iso(r.ticker.nextTickMs() ?? 0), '2026-03-10T10:15:00.000Z');
  r.timers.advance(40 * MIN);
  assert.equal(r.ticks, ['10:15:00@10:15:00.000', '10:30:00@10:30:00.000', '10:45:00@10:45:00.000']);
  assert.is(r.timers.pending(), 1);
  r.ticker.stop();
  assert.is(r.timers.pending(), 0);
  assert.is(r.ticker.nextTickMs(), null);
  r.timers.advance(60 * MIN);
  assert.is(r.ticks.length, 3);
});

test('aligned, started exactly on a boundary: the first tick is the next boundary', () => {
  const r = alignedRig('2026-03-10T10:15:00.000Z', 900);
  r.ticker.start();
  r.timers.advance(15 * MIN);
  assert.equal(r.ticks, ['10:30:00@10:30:00.000']);
  r.ticker.stop();
});

test('aligned 7 h across midnight (ticks at 21:00, 00:00, 07:00) and with a UTC offset of +120 min', () => {
  const r = alignedRig('2026-03-10T20:00:00.000Z', 7 * 3600);
  r.ticker.start();
  r.timers.advance(12 * 60 * MIN);
  assert.equal(r.ticks, ['21:00:00@21:00:00.000', '00:00:00@00:00:00.000', '07:00:00@07:00:00.000']);
  r.ticker.stop();

  const local = alignedRig('2026-03-10T20:00:00.000Z', 7 * 3600, 120);
  local.ticker.start();
  local.timers.advance(12 * 60 * MIN);
  // Local 22:00 → ticks at local 00:00 (22:00Z) and 07:00 (05:00Z).
  assert.equal(local.ticks, ['22:00:00@22:00:00.000', '05:00:00@05:00:00.000']);
  local.ticker.stop();
});

test('aligned: late timers do not drift (each wake-up recomputes from clock.now())', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.timers.lateByMs = 250;
  r.ticker.start();
  r.timers.advance(40 * MIN);
  assert.equal(r.ticks, ['10:15:00@10:15:00.250', '10:30:00@10:30:00.250', '10:45:00@10:45:00.250']);
  r.ticker.stop();
});

test('aligned: a stalled event loop gives one tick for the current slot, not a burst', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  r.timers.stall(50 * MIN); // 10:57:30, the 10:15 timer is overdue
  r.timers.advance(0);
  assert.equal(r.ticks, ['10:45:00@10:57:30.000']);
  r.timers.advance(5 * MIN);
  assert.equal(r.ticks, ['10:45:00@10:57:30.000', '11:00:00@11:00:00.000']);
  r.ticker.stop();
});

test('aligned: clock jumps forward 2 h, resync → one tick for the current slot at once, then on the new grid', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  r.timers.advance(2.5 * MIN); // 10:10
  r.jump(2 * 60 * MIN); // station clock 12:10
  r.ticker.resync();
  assert.equal(r.ticks, ['12:00:00@12:10:00.000']);
  assert.is(iso(r.ticker.nextTickMs() ?? 0), '2026-03-10T12:15:00.000Z');
  assert.is(r.timers.pending(), 1);
  r.timers.advance(20 * MIN);
  assert.equal(r.ticks, ['12:00:00@12:10:00.000', '12:15:00@12:15:00.000', '12:30:00@12:30:00.000']);
  r.ticker.stop();
});

test('aligned: a small forward jump that does not pass the awaited instant only re-arms', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  r.timers.advance(2.5 * MIN); // 10:10
  r.jump(2 * MIN); // 10:12
  r.ticker.resync();
  assert.equal(r.ticks, []);
  r.timers.advance(3 * MIN);
  assert.equal(r.ticks, ['10:15:00@10:15:00.000']);
  r.ticker.stop();
});

test('aligned: a forward jump nobody reported (no resync) still gives at most one tick', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  r.timers.advance(2.5 * MIN); // 10:10
  r.jump(60 * MIN); // station 11:10; the timer still waits for system 10:15 = station 11:15
  r.timers.advance(20 * MIN);
  assert.equal(r.ticks, ['11:15:00@11:15:00.000', '11:30:00@11:30:00.000']);
  r.ticker.stop();
});

test('aligned: clock jumps backwards after a tick, resync → the same slot never fires twice', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  r.timers.advance(8.5 * MIN); // 10:16, 10:15 fired
  r.jump(-5 * MIN); // station 10:11
  r.ticker.resync();
  assert.is(iso(r.ticker.nextTickMs() ?? 0), '2026-03-10T10:30:00.000Z');
  r.timers.advance(20 * MIN);
  assert.equal(r.ticks, ['10:15:00@10:15:00.000', '10:30:00@10:30:00.000']);
  r.ticker.stop();
});

test('aligned: a backward jump nobody reported: the early timer re-arms, 10:15 is not repeated', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  r.timers.advance(12.5 * MIN); // 10:20, 10:15 fired, waiting for 10:30
  r.jump(-10 * MIN); // station 10:10; timer due at system 10:30 = station 10:20
  r.timers.advance(36 * MIN);
  assert.equal(r.ticks, ['10:15:00@10:15:00.000', '10:30:00@10:30:00.000', '10:45:00@10:45:00.000']);
  r.ticker.stop();
});

test('aligned: a backward jump of more than a day means the clock was wrong: ticking resumes at once', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  r.timers.advance(8.5 * MIN); // 10:16, 10:15 fired
  r.jump(-2 * 24 * 60 * MIN); // 2026-03-08T10:16
  r.ticker.resync();
  assert.is(iso(r.ticker.nextTickMs() ?? 0), '2026-03-08T10:30:00.000Z');
  r.timers.advance(14 * MIN);
  assert.equal(r.ticks, ['10:15:00@10:15:00.000', '10:30:00@10:30:00.000']);
  r.ticker.stop();
});

test('aligned: a timer firing a few ms early counts as on time, once', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start(); // armed for 10:15 on the station clock
  r.jump(3); // station clock now 3 ms ahead of the timers: the timer wakes at station 10:15:00.003
  r.jump(-6); // … now 3 ms behind: the timer wakes at station 10:14:59.997
  r.timers.advance(7.5 * MIN);
  assert.equal(r.ticks, ['10:15:00@10:14:59.997']);
  assert.is(iso(r.ticker.nextTickMs() ?? 0), '2026-03-10T10:30:00.000Z');
  r.timers.advance(16 * MIN);
  assert.equal(r.ticks, ['10:15:00@10:14:59.997', '10:30:00@10:30:00.000']);
  r.ticker.stop();
});

test('aligned: setInterval reschedules at once; 0 stops; a positive value resumes on the new grid', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  r.timers.advance(12.5 * MIN); // 10:20, 10:15 fired
  r.ticker.setInterval(3600);
  assert.is(r.ticker.intervalS, 3600);
  assert.is(iso(r.ticker.nextTickMs() ?? 0), '2026-03-10T11:00:00.000Z');
  assert.is(r.timers.pending(), 1);
  r.timers.advance(45 * MIN); // 11:05
  r.ticker.setInterval(0);
  assert.is(r.timers.pending(), 0);
  assert.is(r.ticker.nextTickMs(), null);
  r.timers.advance(60 * MIN); // 12:05
  r.ticker.setInterval(600);
  r.timers.advance(20 * MIN); // 12:25
  assert.equal(r.ticks, ['10:15:00@10:15:00.000', '11:00:00@11:00:00.000', '12:10:00@12:10:00.000', '12:20:00@12:20:00.000']);
  r.ticker.stop();
});

test('aligned: interval 0 at start arms nothing; setInterval before start() does not arm either', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 0);
  r.ticker.start();
  assert.is(r.timers.pending(), 0);
  r.ticker.resync();
  assert.is(r.timers.pending(), 0);
  const idle = alignedRig('2026-03-10T10:07:30.000Z', 0);
  idle.ticker.setInterval(900);
  assert.is(idle.timers.pending(), 0);
  idle.ticker.start();
  idle.timers.advance(10 * MIN);
  assert.equal(idle.ticks, ['10:15:00@10:15:00.000']);
  idle.ticker.stop();
});

test('aligned: a throwing onTick is not swallowed and does not stop the ticker', () => {
  const timers = new FakeTimers(ms('2026-03-10T10:07:30.000Z'));
  const clock = createClock(() => timers.nowMs);
  const slots: string[] = [];
  const ticker = new AlignedTicker({
    clock,
    timers,
    intervalS: 900,
    onTick: (slotMs) => {
      slots.push(iso(slotMs));
      throw new Error('boom');
    },
  });
  ticker.start();
  assert.throws(() => timers.advance(10 * MIN), /boom/);
  assert.equal(slots, ['2026-03-10T10:15:00.000Z']);
  assert.is(iso(ticker.nextTickMs() ?? 0), '2026-03-10T10:30:00.000Z');
  assert.throws(() => timers.advance(20 * MIN), /boom/);
  assert.equal(slots, ['2026-03-10T10:15:00.000Z', '2026-03-10T10:30:00.000Z']);
  ticker.stop();
});

test('aligned/periodic: NaN intervals and bad offsets throw MeteringError and change nothing', () => {
  const r = alignedRig('2026-03-10T10:07:30.000Z', 900);
  r.ticker.start();
  try {
    r.ticker.setInterval(Number.NaN);
    assert.unreachable('NaN accepted');
  } catch (err) {
    assert.instance(err, MeteringError);
    assert.is((err as MeteringError).code, 'invalidInterval');
  }
  assert.is(r.ticker.intervalS, 900);
  assert.is(iso(r.ticker.nextTickMs() ?? 0), '2026-03-10T10:15:00.000Z');
  r.ticker.stop();
  assert.throws(
    () => new AlignedTicker({ clock: { now: () => 0 }, onTick: () => {}, utcOffsetMinutes: 24 * 60 }),
    (err: unknown) => err instanceof MeteringError && err.code === 'invalidUtcOffset',
  );
  assert.throws(
    () => new PeriodicTicker({ onTick: () => {}, intervalS: Number.POSITIVE_INFINITY }),
    (err: unknown) => err instanceof MeteringError && err.code === 'invalidInterval',
  );
});

function periodicRig(intervalS: number) {
  const timers = new FakeTimers(1_000);
  const ticks: string[] = [];
  const ticker = new PeriodicTicker({
    intervalS,
    timers,
    monotonicNowMs: () => timers.nowMs,
    onTick: (n) => ticks.push(`${n}@${timers.nowMs - 1_000}`),
  });
  return { timers, ticks, ticker };
}

test('periodic: every intervalS after start(), counted from the start; nothing before start; stop()', () => {
  const r = periodicRig(60);
  r.timers.advance(30_000);
  assert.is(r.timers.pending(), 0);
  r.ticker.start(); // at +30 s
  r.timers.advance(180_000);
  assert.equal(r.ticks, ['1@90000', '2@150000', '3@210000']);
  r.ticker.stop();
  assert.is(r.timers.pending(), 0);
  assert.is(r.ticker.nextTickMs(), null);
  r.timers.advance(600_000);
  assert.is(r.ticks.length, 3);
});

test('periodic: setInterval restarts the period from now; 0 stops; a positive value resumes', () => {
  const r = periodicRig(60);
  r.ticker.start();
  r.timers.advance(90_000); // tick at 60 s
  r.ticker.setInterval(30); // restart at 90 s
  r.timers.advance(65_000); // 155 s
  assert.equal(r.ticks, ['1@60000', '1@120000', '2@150000']);
  r.ticker.setInterval(0);
  assert.is(r.timers.pending(), 0);
  r.timers.advance(100_000); // 255 s
  r.ticker.setInterval(10);
  r.timers.advance(25_000); // 280 s
  assert.equal(r.ticks, ['1@60000', '1@120000', '2@150000', '1@265000', '2@275000']);
  r.ticker.stop();
});

test('periodic: late timers do not drift; a stall skips the missed periods instead of bursting', () => {
  const r = periodicRig(60);
  r.timers.lateByMs = 100;
  r.ticker.start();
  r.timers.advance(185_000);
  assert.equal(r.ticks, ['1@60100', '2@120100', '3@180100']);
  r.timers.lateByMs = 0;
  r.timers.stall(200_000); // 385 s: due at 240 s, periods 4–6 slept through
  r.timers.advance(0);
  assert.equal(r.ticks.slice(3), ['6@385000']);
  r.timers.advance(40_000);
  assert.equal(r.ticks.slice(3), ['6@385000', '7@420000']);
  r.ticker.stop();
});

test('periodic: start() again restarts the period; the station clock plays no part', () => {
  const r = periodicRig(60);
  r.ticker.start();
  r.timers.advance(50_000);
  r.ticker.start(); // restart at 50 s
  assert.is(r.timers.pending(), 1);
  r.timers.advance(70_000);
  assert.equal(r.ticks, ['1@110000']);
  assert.is(r.ticker.nextTickMs(), 1_000 + 170_000);
  r.ticker.stop();
});

test.run();
