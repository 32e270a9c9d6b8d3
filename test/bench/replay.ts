/**
 * Benchmark: replay of a large offline queue after reconnect.
 *
 * 10,000 queued transaction messages (a week of one-minute meter values of one running
 * transaction: 1.6 MeterValues, or 2.0.1 TransactionEvent Updated) are written into a data directory; evsed starts on it against the ocpp-rpc test
 * CSMS (strict validation) and replays them. Reported: messages per second, the event loop's p99
 * delay inside evsed during the replay (how long a pilot-state change could wait), and the rate
 * as a fraction of the OCPP-J limit — one round trip per message with one CALL in flight — where
 * the round trip is measured in the same run by a plain WebSocket client sending the same
 * messages to the same CSMS, one at a time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { TestCsms } from '../peers/csms.js';
import { EvsedProcess, eventually } from '../support/evsed.js';
import { openDatabase } from '../../src/store/db.js';
import { createQueueStore } from '../../src/store/queue.js';
import { createTransactionStore } from '../../src/store/transactions.js';
import type { ProcessStats } from '../../src/control/types.js';

export interface ReplayFigures {
  protocol: string;
  messages: number;
  seconds: number;
  perSecond: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  rttMs: number;
  fractionOfRttLimit: number;
  /** Every queued message arrived exactly once, in order. */
  exactlyOnceInOrder: boolean;
}

function meterValue(i: number, startMs: number) {
  const at = new Date(startMs + i * 60_000).toISOString();
  return {
    timestamp: at,
    sampledValue: [
      { value: String(1000 + i * 183), context: 'Sample.Periodic', format: 'Raw', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
      { value: '11040', context: 'Sample.Periodic', format: 'Raw', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
    ],
  };
}

type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

function meterValue201(i: number, startMs: number) {
  return {
    timestamp: new Date(startMs + i * 60_000).toISOString(),
    sampledValue: [
      { value: 1000 + i * 183, context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unitOfMeasure: { unit: 'Wh' } },
      { value: 11040, context: 'Sample.Periodic', measurand: 'Power.Active.Import', location: 'Outlet', unitOfMeasure: { unit: 'W' } },
    ],
  };
}

/** The queued message number `i` of the week-long transaction, in the protocol's own form. */
function queued(protocol: Protocol, i: number, startMs: number, txId: string) {
  if (protocol === 'ocpp1.6') {
    return { action: 'MeterValues', kind: 'meter', payload: { connectorId: 1, meterValue: [meterValue(i, startMs)] } };
  }
  return {
    action: 'TransactionEvent',
    kind: 'update',
    payload: {
      eventType: 'Updated',
      timestamp: new Date(startMs + i * 60_000).toISOString(),
      triggerReason: 'MeterValuePeriodic',
      seqNo: i + 1,
      offline: true,
      transactionInfo: { transactionId: txId },
      meterValue: [meterValue201(i, startMs)],
    },
  };
}

/** Fill a fresh data directory with one running transaction and `n` queued messages. */
function prepareDataDir(protocol: Protocol, n: number): { dir: string; txId: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-bench-replay-'));
  const db = openDatabase(dir);
  const txStore = createTransactionStore(db);
  const queue = createQueueStore(db);
  const startMs = Date.now() - n * 60_000;
  const txId = randomUUID();
  txStore.insert({
    id: txId,
    connector: 1,
    idTag: 'BENCH-CARD',
    idTagType: null,
    group: null,
    reservationId: null,
    remoteStartId: null,
    startedAtMs: startMs,
    meterStartWh: 1000,
    lastMeterWh: 1000 + n * 183,
    lastMeterAtMs: Date.now(),
  });
  txStore.setCsmsId(txId, '4242');
  txStore.takeSeqNo(txId, n + 1);
  db.transaction(() => {
    for (let i = 0; i < n; i += 1) {
      queue.append({ protocol, ...queued(protocol, i, startMs, txId), txId, offline: true, createdAtMs: startMs + i * 60_000 });
    }
  })();
  db.close();
  // The EV is still there (hardware state): the transaction is resumed, not closed.
  writeFileSync(
    path.join(dir, 'sim-board.json'),
    JSON.stringify({
      version: 1,
      connectors: [{ connector: 1, energyWh: 1000 + n * 183, ev: { maxCurrentA: 16, phases: 3, batteryWh: 60000, socPercent: 50, targetSocPercent: 100, paused: true, full: false, storedWh: 30000 } }],
    }),
  );
  return { dir, txId };
}

/** Median round trip of `count` MeterValues CALLs, one at a time, from a plain client. */
async function measureRtt(protocol: Protocol, url: string, count: number): Promise<number> {
  const ws = new WebSocket(`${url}/RTT-PROBE`, [protocol]);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const pending = new Map<string, () => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as unknown[];
    pending.get(frame[1] as string)?.();
  });
  const once = (id: string, text: string) =>
    new Promise<void>((resolve) => {
      pending.set(id, resolve);
      ws.send(text);
    });
  const boot =
    protocol === 'ocpp1.6'
      ? { chargePointVendor: 'probe', chargePointModel: 'probe' }
      : { reason: 'PowerUp', chargingStation: { vendorName: 'probe', model: 'probe' } };
  await once('boot', JSON.stringify([2, 'boot', 'BootNotification', boot]));
  const startMs = Date.now();
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `m${i}`;
    const t0 = performance.now();
    const q = queued(protocol, i, startMs, 'rtt-probe-transaction');
    const payload = protocol === 'ocpp1.6' ? { ...q.payload, transactionId: 1 } : q.payload;
    await once(id, JSON.stringify([2, id, q.action, payload]));
    times.push(performance.now() - t0);
  }
  ws.close();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function replayBenchmark(protocol: Protocol, n = 10_000): Promise<ReplayFigures> {
  const { dir, txId } = prepareDataDir(protocol, n);
  const action = protocol === 'ocpp1.6' ? 'MeterValues' : 'TransactionEvent';
  const csms = await TestCsms.start({ protocols: [protocol] });
  const evsed = new EvsedProcess({
    csmsUrl: csms.url,
    protocols: [protocol],
    dataDir: dir,
    logLevel: 'warn',
    settings: { MeterValueSampleInterval: 0 },
  });
  try {
    await evsed.start();
    await evsed.ctl<ProcessStats>('process', { monitor: true, reset: true });
    const received = () => csms.calls(action).filter((m) => m.identity !== 'RTT-PROBE').length;
    await eventually(() => received() >= 1, 20_000, 'first replayed message');
    await eventually(() => received() >= n, 600_000, `all ${n} messages`);
    await new Promise((r) => setTimeout(r, 500));
    const mv = csms.calls(action).filter((m) => m.identity !== 'RTT-PROBE').slice(0, n);
    const stamps = mv.map((m) => Date.parse(m.payload.meterValue[0].timestamp));
    const ids = mv.map((m) => (protocol === 'ocpp1.6' ? String(m.payload.transactionId) : m.payload.transactionInfo.transactionId));
    const exactlyOnceInOrder =
      mv.length === n &&
      new Set(stamps).size === n &&
      stamps.every((t, i) => i === 0 || t > stamps[i - 1]!) &&
      ids.every((id) => id === (protocol === 'ocpp1.6' ? '4242' : txId));
    const seconds = (mv[mv.length - 1]!.at - mv[0]!.at) / 1000;
    const stats = await evsed.ctl<ProcessStats>('process');
    const rttMs = await measureRtt(protocol, csms.url, 2000);
    const perSecond = (n - 1) / seconds;
    return {
      protocol,
      messages: n,
      seconds,
      perSecond,
      loopDelayP99Ms: stats.eventLoopDelayMs?.p99 ?? NaN,
      loopDelayMaxMs: stats.eventLoopDelayMs?.max ?? NaN,
      rttMs,
      fractionOfRttLimit: perSecond * (rttMs / 1000),
      exactlyOnceInOrder,
    };
  } finally {
    await evsed.stop();
    await csms.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
