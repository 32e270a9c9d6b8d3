/**
 * Metering: samples of a reading for the configured measurands (phases, units, rounding,
 * impossible values), R-O8 thinning of a transaction's meter values, and the guarded energy delta.
 * Clock alignment is in metering-clock.test.ts, the tickers in metering-tickers.test.ts.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MeterReading } from '../../hal/types.js';
import { energyDeltaWh, MEASURAND_DECIMALS, sampleMeter, thinMeterValues } from '../../src/domain/metering.js';
import { SUPPORTED_MEASURANDS } from '../../src/domain/settings-catalog.js';

const T0_MS = Date.parse('2026-03-10T10:15:00.000Z');
const ALL = SUPPORTED_MEASURANDS;

function reading(overrides: Partial<MeterReading> = {}): MeterReading {
  return {
    energyWh: 12_345.678,
    powerW: 11_042.4,
    currentA: [16.004, 15.996, 16.0149],
    voltageV: [230.04, 229.96, 231.25],
    socPercent: 47.6,
    timestampMs: T0_MS - 1234,
    ...overrides,
  };
}

const THREE_PHASE = { phases: 3, nominalVoltageV: 230, offerA: 16 } as const;
const ONE_PHASE_NO_OFFER = { phases: 1, nominalVoltageV: 230, offerA: null } as const;

test('3-phase reading, every supported measurand: one value per measurand and phase, exact and rounded', () => {
  const sample = sampleMeter(reading(), ALL, THREE_PHASE, 'periodic', T0_MS);
  assert.equal(sample, {
    timestampMs: T0_MS,
    context: 'periodic',
    values: [
      { measurand: 'Energy.Active.Import.Register', value: 12_345.7, unit: 'Wh' },
      { measurand: 'Power.Active.Import', value: 11_042, unit: 'W' },
      { measurand: 'Current.Import', value: 16, unit: 'A', phase: 'L1' },
      { measurand: 'Current.Import', value: 16, unit: 'A', phase: 'L2' },
      { measurand: 'Current.Import', value: 16.01, unit: 'A', phase: 'L3' },
      { measurand: 'Voltage', value: 230, unit: 'V', phase: 'L1-N' },
      { measurand: 'Voltage', value: 230, unit: 'V', phase: 'L2-N' },
      { measurand: 'Voltage', value: 231.3, unit: 'V', phase: 'L3-N' },
      { measurand: 'SoC', value: 48, unit: 'Percent', location: 'EV' },
      { measurand: 'Current.Offered', value: 16, unit: 'A' },
      { measurand: 'Power.Offered', value: 11_040, unit: 'W' },
    ],
  });
});

test('1-phase reading without SoC and without offer: order of the list, unknown names skipped, SoC left out, offers 0', () => {
  const r = reading({ energyWh: 0.04, powerW: 3680.5, currentA: [16], voltageV: [229.94] });
  delete r.socPercent;
  const measurands = [
    'Power.Offered',
    'Voltage',
    'SoC',
    'Current.Import',
    'Bogus.Measurand',
    'Energy.Active.Import.Register',
    'Current.Offered',
    'Power.Active.Import',
  ];
  const sample = sampleMeter(r, measurands, ONE_PHASE_NO_OFFER, 'transactionEnd', T0_MS + 5);
  assert.equal(sample, {
    timestampMs: T0_MS + 5,
    context: 'transactionEnd',
    values: [
      { measurand: 'Power.Offered', value: 0, unit: 'W' },
      { measurand: 'Voltage', value: 229.9, unit: 'V', phase: 'L1-N' },
      { measurand: 'Current.Import', value: 16, unit: 'A', phase: 'L1' },
      { measurand: 'Energy.Active.Import.Register', value: 0, unit: 'Wh' },
      { measurand: 'Current.Offered', value: 0, unit: 'A' },
      { measurand: 'Power.Active.Import', value: 3681, unit: 'W' },
    ],
  });
});

test('SoC present is reported with location EV, rounded to 1 %, clamped to 0–100', () => {
  const soc = (socPercent: number) => sampleMeter(reading({ socPercent }), ['SoC'], THREE_PHASE, 'trigger', T0_MS).values;
  assert.equal(soc(79.5), [{ measurand: 'SoC', value: 80, unit: 'Percent', location: 'EV' }]);
  assert.equal(soc(0), [{ measurand: 'SoC', value: 0, unit: 'Percent', location: 'EV' }]);
  assert.equal(soc(100.4), [{ measurand: 'SoC', value: 100, unit: 'Percent', location: 'EV' }]);
  assert.equal(soc(-2), [{ measurand: 'SoC', value: 0, unit: 'Percent', location: 'EV' }]);
  assert.equal(soc(Number.NaN), []);
});

test('offered values: with an offer on 1 and 3 phases, with PWM off, with a nonsense offer', () => {
  const offered = (connector: { phases: 1 | 3; nominalVoltageV: number; offerA: number | null }) =>
    sampleMeter(reading(), ['Current.Offered', 'Power.Offered'], connector, 'periodic', T0_MS).values.map((v) => v.value);
  assert.equal(offered({ phases: 1, nominalVoltageV: 230, offerA: 10 }), [10, 2300]);
  assert.equal(offered({ phases: 3, nominalVoltageV: 230, offerA: 13.5 }), [13.5, 9315]);
  assert.equal(offered({ phases: 3, nominalVoltageV: 110, offerA: 32 }), [32, 10_560]);
  assert.equal(offered({ phases: 3, nominalVoltageV: 230, offerA: 6.333 }), [6.33, 4370]);
  assert.equal(offered({ phases: 3, nominalVoltageV: 230, offerA: null }), [0, 0]);
  assert.equal(offered({ phases: 3, nominalVoltageV: 230, offerA: -6 }), [0, 0]);
  assert.equal(offered({ phases: 3, nominalVoltageV: 230, offerA: Number.NaN }), [0, 0]);
});

test('impossible values: never NaN, never a negative energy; negative import is 0; -0 never appears', () => {
  const r = reading({
    energyWh: Number.NaN,
    powerW: -3,
    currentA: [Number.NaN, 5, -0.001],
    voltageV: [-1, Number.POSITIVE_INFINITY, 230],
  });
  const values = sampleMeter(r, ALL, { phases: 3, nominalVoltageV: Number.NaN, offerA: 16 }, 'periodic', T0_MS).values;
  assert.equal(values, [
    { measurand: 'Power.Active.Import', value: 0, unit: 'W' },
    { measurand: 'Current.Import', value: 5, unit: 'A', phase: 'L2' },
    { measurand: 'Current.Import', value: 0, unit: 'A', phase: 'L3' },
    { measurand: 'Voltage', value: 230, unit: 'V', phase: 'L3-N' },
    { measurand: 'SoC', value: 48, unit: 'Percent', location: 'EV' },
    { measurand: 'Current.Offered', value: 16, unit: 'A' },
  ]);
  for (const v of values) assert.ok(!Object.is(v.value, -0), `${v.measurand} is -0`);
  const negative = sampleMeter(reading({ energyWh: -5 }), ['Energy.Active.Import.Register'], THREE_PHASE, 'periodic', T0_MS);
  assert.equal(negative.values, []);
});

test('each measurand appears once even when listed twice; more than 3 phases are not invented', () => {
  const r = reading({ currentA: [1, 2, 3, 4], voltageV: [] });
  const values = sampleMeter(r, ['Current.Import', 'Voltage', 'Current.Import'], THREE_PHASE, 'periodic', T0_MS).values;
  assert.equal(
    values.map((v) => `${v.measurand}/${v.phase}=${v.value}`),
    ['Current.Import/L1=1', 'Current.Import/L2=2', 'Current.Import/L3=3'],
  );
});

test('documented resolutions: energy 0.1 Wh, power 1 W, current 0.01 A, voltage 0.1 V, SoC 1 %', () => {
  assert.equal(MEASURAND_DECIMALS, {
    'Energy.Active.Import.Register': 1,
    'Power.Active.Import': 0,
    'Current.Import': 2,
    Voltage: 1,
    SoC: 0,
    'Current.Offered': 2,
    'Power.Offered': 0,
  });
  assert.equal(sampleMeter(reading(), [], THREE_PHASE, 'other', T0_MS), { timestampMs: T0_MS, context: 'other', values: [] });
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('R-O8 / 16-E 3.91 - 10 values, max 4: drops 1st, 3rd … intermediates per pass; keeps begin and end', () => {
  assert.equal(thinMeterValues(range(10), 4), [0, 4, 8, 9]);
});

test('R-O8 / 16-E 3.91 - one whole pass: 10 values, max 8 → every other intermediate goes', () => {
  assert.equal(thinMeterValues(range(10), 8), [0, 2, 4, 6, 8, 9]);
  assert.equal(thinMeterValues(range(9), 8), [0, 2, 4, 6, 8]);
  assert.equal(thinMeterValues(range(3), 2), [0, 2]);
});

test('R-O8 / 16-E 3.91 - max ≥ length leaves the values unchanged (a copy, input untouched)', () => {
  const input = ['begin', 'a', 'b', 'end'];
  const out = thinMeterValues(input, 4);
  assert.equal(out, ['begin', 'a', 'b', 'end']);
  assert.is.not(out, input);
  assert.equal(thinMeterValues(input, 100), input);
  assert.equal(thinMeterValues([], 4), []);
  assert.equal(thinMeterValues(['only'], 0), ['only']);
  thinMeterValues(input, 2);
  assert.equal(input, ['begin', 'a', 'b', 'end']);
});

test('R-O8 / 16-E 3.91 - max below 2 (or NaN) counts as 2; fractions are floored', () => {
  assert.equal(thinMeterValues(range(7), 1), [0, 6]);
  assert.equal(thinMeterValues(range(7), 0), [0, 6]);
  assert.equal(thinMeterValues(range(7), -5), [0, 6]);
  assert.equal(thinMeterValues(range(7), Number.NaN), [0, 6]);
  assert.equal(thinMeterValues(range(10), 4.9), [0, 4, 8, 9]);
  assert.equal(thinMeterValues(range(10), Number.POSITIVE_INFINITY), range(10));
});

test('R-O8 / 16-E 3.91 - property: bounded, begin/end kept, an ordered subsequence, not over-thinned', () => {
  fc.assert(
    fc.property(fc.nat({ max: 300 }), fc.integer({ min: -3, max: 80 }), (length, max) => {
      const input = range(length);
      const out = thinMeterValues(input, max);
      const limit = Math.max(2, max);
      if (length <= limit) {
        assert.equal(out, input);
        return;
      }
      assert.ok(out.length <= limit, `length ${out.length} > ${limit}`);
      assert.ok(out.length >= 2 + Math.floor((limit - 1) / 2), `over-thinned to ${out.length} (limit ${limit})`);
      assert.is(out[0], 0);
      assert.is(out.at(-1), length - 1);
      for (let i = 1; i < out.length; i++) assert.ok((out[i] as number) > (out[i - 1] as number), 'order kept, no repeats');
    }),
    { numRuns: 500 },
  );
});

test('R-O8 / 16-E 3.91 - works on samples as stored (objects kept by identity)', () => {
  const context = (i: number) => (i === 0 ? 'transactionBegin' : i === 5 ? 'transactionEnd' : 'periodic');
  const samples = range(6).map((i) => ({ timestampMs: T0_MS + i * 60_000, context: context(i) }));
  const out = thinMeterValues(samples, 3);
  assert.equal(out.map((s) => s.context), ['transactionBegin', 'periodic', 'transactionEnd']);
  assert.is(out[0], samples[0]);
  assert.is(out[1], samples[4]);
  assert.is(out[2], samples[5]);
});

test('energyDeltaWh: exact delta at 0.1 Wh; equal registers 0; a register that went back is 0 and flagged', () => {
  const at = (energyWh: number) => reading({ energyWh });
  assert.equal(energyDeltaWh(at(12_000.2), at(12_345.6)), { deltaWh: 345.4, registerWentBack: false, invalidReading: false });
  assert.equal(energyDeltaWh(at(500), at(500)), { deltaWh: 0, registerWentBack: false, invalidReading: false });
  assert.equal(energyDeltaWh(at(0.1), at(0.3)), { deltaWh: 0.2, registerWentBack: false, invalidReading: false });
  assert.equal(energyDeltaWh(at(98_765.4), at(12.5)), { deltaWh: 0, registerWentBack: true, invalidReading: false });
  assert.equal(energyDeltaWh(at(100.04), at(100)), { deltaWh: 0, registerWentBack: false, invalidReading: false });
});

test('energyDeltaWh: a non-finite register gives 0 Wh flagged as an invalid reading, never NaN', () => {
  const at = (energyWh: number) => reading({ energyWh });
  assert.equal(energyDeltaWh(at(Number.NaN), at(10)), { deltaWh: 0, registerWentBack: false, invalidReading: true });
  assert.equal(energyDeltaWh(at(10), at(Number.POSITIVE_INFINITY)), { deltaWh: 0, registerWentBack: false, invalidReading: true });
});

test.run();
