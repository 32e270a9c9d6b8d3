/**
 * 1.6 energy figures agree to the Wh: meterStart / meterStop and the energy register in the
 * MeterValues of the same reading (Transaction.Begin / End samples), for every register value —
 * including the ones a double rounding would split (x.45 … x.5).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sampleMeter } from '../../src/domain/metering.js';
import { toV16MeterValue, v16WholeWh } from '../../src/ocpp/v16/mapping.js';

const reading = (energyWh: number) => ({ energyWh, powerW: 0, currentA: [0, 0, 0], voltageV: [230, 230, 230], timestampMs: 0 });
const connector = { phases: 3 as const, nominalVoltageV: 230, offerA: null };

function sampled(energyWh: number): number {
  const s = sampleMeter(reading(energyWh), ['Energy.Active.Import.Register'], connector, 'transactionEnd', 1_700_000_000_000);
  return Number(toV16MeterValue(s).sampledValue[0]!.value);
}

test('meterStop equals the Transaction.End register value, at the rounding boundaries and across a range', () => {
  for (const x of [1466.44, 1466.45, 1466.46, 1466.49, 1466.5, 1466.51, 0.45, 0.5, 1e7 + 0.46]) {
    assert.is(v16WholeWh(x), sampled(x), `register ${x} Wh`);
  }
  for (let i = 0; i < 20_000; i++) {
    const x = Math.random() * 1e6;
    assert.is(v16WholeWh(x), sampled(x), `register ${x} Wh`);
  }
  assert.is(v16WholeWh(1466.46), 1467, 'rounded from the sampled 1466.5');
});

test.run();
