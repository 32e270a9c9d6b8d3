/**
 * The manual HalClock used by every hardware test: due timers run in order, at their due time,
 * and nothing runs early.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MANUAL_CLOCK_EPOCH_MS, ManualClock } from './manual-clock.js';

test('runs due timers in due-time order, ties in scheduling order, with now() at the due time', () => {
  const clock = new ManualClock();
  const log: string[] = [];
  const at = (name: string) => () => log.push(`${name}@${clock.now() - MANUAL_CLOCK_EPOCH_MS}`);
  clock.setTimeout(at('c'), 30);
  clock.setTimeout(at('a'), 10);
  clock.setTimeout(at('b1'), 20);
  clock.setTimeout(at('b2'), 20);
  clock.setTimeout(at('late'), 31);
  clock.advanceSync(30);
  assert.equal(log, ['a@10', 'b1@20', 'b2@20', 'c@30']);
  assert.is(clock.now(), MANUAL_CLOCK_EPOCH_MS + 30);
  assert.is(clock.pending(), 1);
  clock.advanceSync(1);
  assert.equal(log.at(-1), 'late@31');
  assert.is(clock.pending(), 0);
});

test('intervals re-arm every period until cancelled; cancelled timers never run', () => {
  const clock = new ManualClock(0);
  const ticks: number[] = [];
  const interval = clock.setInterval(() => ticks.push(clock.now()), 200);
  const never = clock.setTimeout(() => ticks.push(-1), 100);
  never.cancel();
  clock.advanceSync(1000);
  assert.equal(ticks, [200, 400, 600, 800, 1000]);
  interval.cancel();
  clock.advanceSync(1000);
  assert.is(ticks.length, 5);
  assert.is(clock.pending(), 0);
});

test('a timer scheduled by a timer runs in the same advance when it falls due within it', () => {
  const clock = new ManualClock(0);
  const log: number[] = [];
  clock.setTimeout(() => {
    log.push(clock.now());
    clock.setTimeout(() => log.push(clock.now()), 5);
    clock.setTimeout(() => log.push(clock.now()), 50);
  }, 10);
  clock.advanceSync(20);
  assert.equal(log, [10, 15]);
  clock.advanceSync(40);
  assert.equal(log, [10, 15, 60]);
});

test('async advance lets promise callbacks schedule the next step within the same advance', async () => {
  const clock = new ManualClock(0);
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
  const log: number[] = [];
  const chain = (async () => {
    await sleep(10);
    log.push(clock.now());
    await sleep(10);
    log.push(clock.now());
  })();
  await clock.advance(25);
  await chain;
  assert.equal(log, [10, 20]);
  assert.is(clock.now(), 25);
});

test.run();
