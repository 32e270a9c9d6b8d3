/**
 * Shared by the 1.6 and 2.0.1 smart-charging suites: watching the current the simulated EV draws
 * (read from the meter through the control socket, as a technician's `evsectl hw meter` would) and
 * checking that it follows a schedule's period boundaries.
 *
 * Owns: sampling and the "follows within a second" verdict. Must not: reach into evsed's src/.
 */
import * as assert from 'uvu/assert';
import type { EvsedProcess } from '../support/evsed.js';

export interface Step {
  /** Wall-clock time the period starts, ms since the epoch. */
  atMs: number;
  /** Current per phase the EV must draw from then on, A (0 = paused). */
  amps: number;
}

export interface Sample {
  atMs: number;
  amps: number;
}

/** Current per phase the EV at connector `n` draws now (phase L1), A. */
export async function drawnA(evsed: EvsedProcess, n: number): Promise<number> {
  const [r] = await evsed.ctl<Array<{ ok: boolean; reading?: { currentA: number[] }; error?: string }>>('hw.meter', { connector: n });
  if (!r?.ok || !r.reading) throw new Error(`meter of connector ${n}: ${r?.error ?? 'no reading'}`);
  return r.reading.currentA[0] ?? 0;
}

/** Samples of the drawn current every `everyMs` until `untilMs` (wall clock). */
export async function sampleUntil(evsed: EvsedProcess, n: number, untilMs: number, everyMs = 50): Promise<Sample[]> {
  const out: Sample[] = [];
  while (Date.now() < untilMs) {
    const amps = await drawnA(evsed, n);
    out.push({ atMs: Date.now(), amps });
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return out;
}

const close = (a: number, b: number) => Math.abs(a - b) < 0.6;

/**
 * For each step after the first: the EV drew the step's current no later than `maxLagMs` after
 * the boundary, and not the new value before it (the limit does not move early). Returns the lag
 * of each boundary, ms.
 */
export function assertFollows(samples: Sample[], steps: Step[], maxLagMs = 1000): number[] {
  const lags: number[] = [];
  const show = () => samples.map((s) => `${s.atMs - steps[0]!.atMs}:${s.amps.toFixed(1)}`).join(' ');
  for (let i = 1; i < steps.length; i++) {
    const prev = steps[i - 1]!;
    const step = steps[i]!;
    const next = steps[i + 1]?.atMs ?? Infinity;
    const reached = samples.find((s) => s.atMs >= step.atMs && s.atMs < next && close(s.amps, step.amps));
    assert.ok(reached, `the EV never drew ${step.amps} A after +${step.atMs - steps[0]!.atMs} ms; samples (ms:A): ${show()}`);
    const lag = reached!.atMs - step.atMs;
    lags.push(lag);
    assert.ok(lag <= maxLagMs, `the EV drew ${step.amps} A ${lag} ms after the boundary at +${step.atMs - steps[0]!.atMs} ms; samples (ms:A): ${show()}`);
    // Settled on the previous value shortly before the boundary (a 250 ms margin for the sampling).
    const before = samples.filter((s) => s.atMs >= prev.atMs + 1000 && s.atMs < step.atMs - 250);
    for (const s of before) {
      assert.ok(close(s.amps, prev.amps), `at +${s.atMs - steps[0]!.atMs} ms the EV drew ${s.amps} A, expected ${prev.amps} A; samples (ms:A): ${show()}`);
    }
  }
  return lags;
}

/** A start time on a whole second at least `leadMs` from now (schedules are in whole seconds). */
export function wholeSecondFromNow(leadMs: number): number {
  return Math.ceil((Date.now() + leadMs) / 1000) * 1000;
}
