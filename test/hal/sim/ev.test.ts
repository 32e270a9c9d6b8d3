/**
 * The simulated EV and the meter's energy integration, driven through the public sim API on a
 * manual clock (IEC 61851-1 pilot behaviour: B when connected, C when requesting under an offer
 * of at least 6 A; the EV never draws more than the duty cycle offers).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { perceivedOfferA } from '../../../hal/sim/index.js';
import { dutyCycleForCurrent } from '../../../hal/pwm.js';
import type { SimBoardOptions } from '../../../hal/sim/index.js';
import { simHarness } from '../sim-rig.js';
import type { SimHarness } from '../sim-rig.js';

const TICK_MS = 200;

/** Plug (with EV params), offer, wait a tick for C, close the contactor: flowing. */
async function charge(
  options: Partial<SimBoardOptions>,
  offerA: number,
  ev: Parameters<SimHarness['controls']['plug']>[1] = {},
  connector = 1,
): Promise<SimHarness> {
  const h = await simHarness(options);
  await h.controls.plug(connector, ev);
  await h.hw(connector).setOffer(offerA);
  await h.advance(TICK_MS);
  assert.is(h.hw(connector).pilot(), 'C', 'EV in C');
  const closing = h.hw(connector).setContactor(true);
  await h.advance(20);
  await closing;
  return h;
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} ≉ ${expected} (± ${tolerance})`);
}

const ev = suite('sim EV');

ev('reads the duty cycle like an EV: 0.1 A resolution, 0 without PWM', () => {
  assert.is(perceivedOfferA(dutyCycleForCurrent(16)), 16); // 26.7 % → 16.02 A → 16.0 A
  assert.is(perceivedOfferA(dutyCycleForCurrent(32)), 32); // 53.3 % → 31.98 A → 32.0 A
  assert.is(perceivedOfferA(dutyCycleForCurrent(6)), 6);
  assert.is(perceivedOfferA(dutyCycleForCurrent(null)), 0);
  assert.is(perceivedOfferA(5), 0, '5 %: digital communication, no current');
});

ev('plugged in it shows B, and C only from the next tick when an offer is already there', async () => {
  const h = await simHarness();
  await h.hw(1).setOffer(16);
  await h.controls.plug(1);
  assert.is(h.hw(1).pilot(), 'B');
  await h.advance(TICK_MS);
  assert.equal(
    h.of('hal.cpChanged', 1).map((e) => e.state),
    ['B', 'C'],
  );
  await h.board.stop();
});

ev('draws min(offer, EV max) per phase, on its own phases only', async () => {
  const a = await charge({}, 16, { maxCurrentA: 32 });
  assert.equal(a.hw(1).meter().currentA, [16, 16, 16]);
  await a.board.stop();
  const b = await charge({}, 32, { maxCurrentA: 10 });
  assert.equal(b.hw(1).meter().currentA, [10, 10, 10]);
  await b.board.stop();
  const c = await charge({}, 20, { phases: 1 });
  assert.equal(c.hw(1).meter().currentA, [20, 0, 0]);
  await c.board.stop();
  const d = await charge({}, 32, {}, 2); // tethered 1 × 16 A connector clamps the offer
  assert.is(d.hw(2).offer(), 16);
  assert.equal(d.hw(2).meter().currentA, [16]);
  await d.board.stop();
});

ev('follows a lowered offer within one tick, and a raised one', async () => {
  const h = await charge({}, 32);
  assert.equal(h.hw(1).meter().currentA, [32, 32, 32]);
  await h.hw(1).setOffer(10);
  await h.advance(TICK_MS);
  assert.equal(h.hw(1).meter().currentA, [10, 10, 10]);
  await h.hw(1).setOffer(13);
  await h.advance(TICK_MS);
  assert.equal(h.hw(1).meter().currentA, [13, 13, 13]);
  await h.board.stop();
});

ev('goes back to B and stops drawing within one tick when PWM stops (or drops below 6 A)', async () => {
  const h = await charge({}, 16);
  await h.hw(1).setOffer(null);
  await h.advance(TICK_MS);
  assert.is(h.hw(1).pilot(), 'B');
  assert.equal(h.hw(1).meter().currentA, [0, 0, 0]);
  await h.hw(1).setOffer(16);
  await h.advance(TICK_MS);
  assert.is(h.hw(1).pilot(), 'C');
  await h.hw(1).setOffer(4);
  await h.advance(TICK_MS);
  assert.is(h.hw(1).pilot(), 'B');
  assert.equal(
    h.of('hal.cpChanged', 1).map((e) => e.state),
    ['B', 'C', 'B', 'C', 'B'],
  );
  await h.board.stop();
});

ev('pause → B at once, draws nothing; resume → C again, draws again', async () => {
  const h = await charge({}, 16);
  await h.controls.evPause(1);
  assert.is(h.hw(1).pilot(), 'B');
  assert.equal(h.hw(1).meter().currentA, [0, 0, 0]);
  const pausedWh = h.hw(1).meter().energyWh;
  await h.advance(1000);
  assert.is(h.hw(1).meter().energyWh, pausedWh);
  assert.is((await h.controls.snapshot(1)).evPaused, true);
  await h.controls.evResume(1);
  assert.is(h.hw(1).pilot(), 'C');
  assert.equal(h.hw(1).meter().currentA, [16, 16, 16]);
  await h.board.stop();
});

ev('unplug → A at once and the current stops', async () => {
  const h = await charge({}, 16);
  await h.controls.unplug(1);
  assert.is(h.hw(1).pilot(), 'A');
  assert.equal(h.hw(1).meter().currentA, [0, 0, 0]);
  assert.is(h.hw(1).meter().socPercent, undefined);
  await h.board.stop();
});

ev('tapers above 90 % SoC: at 95 % it draws half its maximum', async () => {
  const h = await charge({}, 32, { socPercent: 95, maxCurrentA: 32 });
  for (const amps of h.hw(1).meter().currentA) near(amps, 16, 0.01, 'taper at 95 %');
  await h.board.stop();
});

ev('becomes full at the target, goes to B and stays there', async () => {
  const h = await charge({ timeScale: 3600 }, 32, { socPercent: 79, targetSocPercent: 80 });
  for (let i = 0; i < 50 && h.hw(1).pilot() === 'C'; i++) await h.advance(TICK_MS);
  assert.is(h.hw(1).pilot(), 'B');
  const snap = await h.controls.snapshot(1);
  assert.equal([snap.evFull, snap.evPaused], [true, false]);
  near(snap.socPercent ?? 0, 80, 1e-3, 'SoC at full');
  assert.equal(snap.currentA, [0, 0, 0]);
  near(snap.energyWh, 600, 0.1, 'meter: 1 % of 60 kWh');
  await h.controls.evResume(1);
  await h.hw(1).setOffer(16);
  await h.advance(1000);
  assert.is(h.hw(1).pilot(), 'B', 'full is final until unplugged');
  await h.board.stop();
});

ev('evFull: the battery is full now → B at once, SoC at target', async () => {
  const h = await charge({}, 16, { targetSocPercent: 90 });
  await h.controls.evFull(1);
  assert.is(h.hw(1).pilot(), 'B');
  assert.equal(h.hw(1).meter().currentA, [0, 0, 0]);
  near(h.hw(1).meter().socPercent ?? 0, 90, 1e-9, 'SoC');
  await h.board.stop();
});

ev('energy: 3 × 16 A × 230 V for one simulated hour (1 real s at timeScale 3600) = 11 040 Wh', async () => {
  const h = await charge({ timeScale: 3600 }, 16);
  const start = h.hw(1).meter();
  await h.advance(1000);
  const end = h.hw(1).meter();
  near(end.energyWh - start.energyWh, 11_040, 11.04, 'energy within 0.1 %');
  near(end.energyWh - start.energyWh, 11_040, 1e-6, 'energy (balanced ripple cancels)');
  near(((end.socPercent ?? 0) - (start.socPercent ?? 0)) * 600, 11_040, 1e-6, 'battery got the metered energy');
  assert.is(end.timestampMs - start.timestampMs, 1000, 'timestamps are real (clock) time');
  await h.board.stop();
});

ev('energy: one phase, timeScale 60 (a demo hour in a real minute) = 3 680 Wh within 0.1 %', async () => {
  const h = await charge({ timeScale: 60 }, 16, { phases: 1 }, 2);
  const startWh = h.hw(2).meter().energyWh;
  for (let s = 0; s < 60; s++) await h.advance(1000);
  near(h.hw(2).meter().energyWh - startWh, 3680, 3.68, 'energy within 0.1 %');
  const readings = h.of('hal.meter', 2).map((e) => e.reading);
  assert.ok(readings.length >= 299, `one meter event per tick (${readings.length})`);
  for (const r of readings) near(r.voltageV[0] ?? 0, 230, 0.3 + 1e-9, 'voltage ripple ≤ 0.3 V');
  await h.board.stop();
});

ev('energy: a register continued from initialEnergyWh counts on from there', async () => {
  const h = await charge({ timeScale: 3600, initialEnergyWh: { 1: 1_000_000 } }, 16);
  const start = h.hw(1).meter().energyWh;
  near(start, 1_000_000, 1e-9, 'start');
  await h.advance(500);
  near(h.hw(1).meter().energyWh, 1_000_000 + 5520, 1e-6, 'after half a simulated hour');
  await h.board.stop();
});

ev.run();
