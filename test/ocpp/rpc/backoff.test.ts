import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Backoff } from '../../../src/ocpp/rpc/index.js';

const take = (b: Backoff, n: number): number[] => Array.from({ length: n }, () => b.next());

test('R-O14 / TC_B_57_CS - min 1 s, random range 0, repeat 2 → 1, 2, 4, 4, 4 s', () => {
  const b = new Backoff({ waitMinimumS: 1, randomRangeS: 0, repeatTimes: 2 }, () => 0.73);
  assert.equal(take(b, 5), [1000, 2000, 4000, 4000, 4000]);
});

test('R-O14 - a fixed random part is added to every doubling', () => {
  // random() = 0.5, range 2 s → +1 s each time: 3+1 = 4, 2·4+1 = 9, 2·9+1 = 19, then keep 19.
  const b = new Backoff({ waitMinimumS: 3, randomRangeS: 2, repeatTimes: 2 }, () => 0.5);
  assert.equal(take(b, 5), [4000, 9000, 19000, 19000, 19000]);
});

test('R-O14 - reset() after a successful connection starts from the minimum again', () => {
  const b = new Backoff({ waitMinimumS: 1, randomRangeS: 0, repeatTimes: 3 });
  assert.equal(take(b, 3), [1000, 2000, 4000]);
  b.reset();
  assert.equal(take(b, 2), [1000, 2000]);
});

test('R-O14 - repeatTimes 0 keeps the first wait', () => {
  const b = new Backoff({ waitMinimumS: 2, randomRangeS: 0, repeatTimes: 0 });
  assert.equal(take(b, 3), [2000, 2000, 2000]);
});

test('R-O14 - bounds with a real random source: first in [min, min+range], each ≥ 2× the previous until the cap', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 5 }),
      fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 10, maxLength: 10 }),
      (minS, rangeS, repeat, randoms) => {
        let i = 0;
        const b = new Backoff({ waitMinimumS: minS, randomRangeS: rangeS, repeatTimes: repeat }, () => randoms[i++ % 10] ?? 0);
        const waits = take(b, 9);
        const first = waits[0] ?? -1;
        assert.ok(first >= minS * 1000 && first <= (minS + rangeS) * 1000);
        for (let k = 1; k < waits.length; k++) {
          const prev = waits[k - 1] ?? 0;
          const cur = waits[k] ?? 0;
          if (k <= repeat) {
            // ±1 ms for rounding of the unrounded chain.
            assert.ok(cur >= 2 * prev - 1 && cur <= 2 * prev + rangeS * 1000 + 1, `wait ${k}: ${cur} after ${prev}`);
          } else {
            assert.is(cur, prev);
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('update() changes the waits handed out from then on', () => {
  const b = new Backoff({ waitMinimumS: 1, randomRangeS: 0, repeatTimes: 1 });
  assert.equal(take(b, 2), [1000, 2000]);
  b.update({ waitMinimumS: 5, randomRangeS: 0, repeatTimes: 1 });
  b.reset();
  assert.equal(take(b, 3), [5000, 10000, 10000]);
});

test.run();
