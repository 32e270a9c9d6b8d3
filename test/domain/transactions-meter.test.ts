/**
 * One reading per instant: meterStart and the Transaction.Begin samples, a periodic sample and
 * the register persisted with it, meterStop and the Transaction.End samples each come from the
 * same meter reading — here with a meter whose register moves between any two reads (as a real
 * meter's does while current flows), on the simulated board under the real TransactionManager.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createSimBoard } from '../../hal/sim/index.js';
import type { ConnectorInfo, MeterReading } from '../../hal/types.js';
import { createClock } from '../../src/domain/clock.js';
import type { MeterSample } from '../../src/domain/metering-types.js';
import { Settings } from '../../src/domain/settings.js';
import { StationRuntime } from '../../src/domain/station.js';
import { TransactionManager, type StopReason } from '../../src/domain/transactions.js';
import { openDatabase } from '../../src/store/db.js';
import { createSettingsStore } from '../../src/store/settings.js';
import { createTransactionStore, type TransactionRecord } from '../../src/store/transactions.js';

const INFO: ConnectorInfo = { id: 1, evseId: 1, connectorId: 1, type: 'cType2', maxCurrentA: 32, phases: 3, nominalVoltageV: 230, hasLock: false, hasRcdTest: false };

const energyOf = (s: MeterSample): number => s.values.find((v) => v.measurand === 'Energy.Active.Import.Register')!.value;

async function until(what: string, predicate: () => boolean, budgetMs = 3000): Promise<void> {
  for (let waited = 0; !predicate(); waited += 10) {
    if (waited > budgetMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('meterStart / Begin, periodic samples, meterStop / End: each pair from one reading', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-tx-meter-'));
  const db = openDatabase(dir);
  const board = createSimBoard({ connectors: [INFO], tickMs: 20 });
  try {
    const hw = board.connectors[0]!;
    const read = hw.meter.bind(hw);
    let reads = 0;
    // Every read sees 1 Wh more than the one before.
    (hw as { meter: () => MeterReading }).meter = () => {
      reads += 1;
      const r = read();
      return { ...r, energyWh: 10_000 + reads };
    };
    const settingsStore = createSettingsStore(db);
    const settings = new Settings(settingsStore, {
      StopTxnSampledData: 'Energy.Active.Import.Register',
      MeterValuesSampledData: 'Energy.Active.Import.Register',
      MeterValueSampleInterval: 1,
    });
    const logger = pino({ level: 'silent' });
    const clock = createClock();
    await board.start();
    const runtime = new StationRuntime({ board, logger, clock, settings: settingsStore, connectionTimeoutMs: 60_000, heartbeatIntervalS: 60, bootRetryS: 60 });
    runtime.start();
    const transactions = new TransactionManager({ runtime, store: createTransactionStore(db), settings, clock, logger });
    transactions.start();
    const started: Array<{ tx: TransactionRecord; begin: MeterSample }> = [];
    const sampled: MeterSample[] = [];
    const stopped: Array<{ tx: TransactionRecord; reason: StopReason; data: MeterSample[] }> = [];
    transactions.subscribe({
      onStarted: (tx, begin) => started.push({ tx, begin }),
      onSampled: (_tx, s) => sampled.push(s),
      onStopped: (tx, reason, data) => stopped.push({ tx, reason, data }),
    });

    await board.controls.plug(1);
    const c = runtime.connector(1)!;
    assert.ok(c.authorize('TOKEN-1'));
    await until('transaction started', () => started.length === 1);
    const { tx, begin } = started[0]!;
    assert.is(energyOf(begin), tx.meterStartWh, 'Begin sample = meterStart');
    await until('a periodic sample', () => sampled.length >= 1, 3000);
    const periodic = sampled[0]!;
    const persisted = transactions.get(tx.id)!;
    assert.ok(persisted.lastMeterWh >= energyOf(periodic));

    c.deauthorize();
    await until('transaction stopped', () => stopped.length === 1);
    const { tx: done, data } = stopped[0]!;
    const end = data.at(-1)!;
    assert.is(end.context, 'transactionEnd');
    assert.is(energyOf(end), done.meterStopWh, 'End sample = meterStop');
    assert.is(energyOf(data[0]!), done.meterStartWh, 'stored Begin sample = meterStart');
    assert.ok(reads > 4, `${reads} reads: the register did move between them`);
    transactions.stop();
    runtime.stop();
  } finally {
    await board.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
