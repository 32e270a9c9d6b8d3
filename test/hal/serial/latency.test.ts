/**
 * The latency helper works: samples of pilot C written → `$FE` received, over a real pty.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HalEvent } from '../../../hal/types.js';
import { measurePilotToContactor } from './latency.js';

test('measurePilotToContactor(n) returns n positive samples (default callback)', async () => {
  const samples = await measurePilotToContactor(5);
  assert.is(samples.length, 5);
  for (const ms of samples) assert.ok(Number.isFinite(ms) && ms > 0 && ms < 1000, `sample ${ms} ms`);
});

test('the callback decides the command: one that never closes yields no sample', async () => {
  const seen: HalEvent[] = [];
  try {
    await measurePilotToContactor(1, { onPilot: (e) => void seen.push(e), sampleTimeoutMs: 500 });
    assert.unreachable('should time out');
  } catch (error) {
    assert.match(String(error), /timed out after 500 ms waiting for sample 0/);
  }
  assert.equal(
    seen.map((e) => (e.type === 'hal.cpChanged' ? e.state : e.type)),
    ['B', 'C'],
  );
});

test.run();
