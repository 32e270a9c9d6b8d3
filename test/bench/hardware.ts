/**
 * Benchmark: how fast the daemon on its serial drivers turns what happens at the charger into
 * the command to the controller, measured on the wire. The serial station of the end-to-end
 * tests (simulated OpenEVSE, SDM630 and card reader on socat ptys; evsed as its own process; the
 * strict CSMS), timed in the simulators' process with performance.now(), so a sample covers the
 * ptys, the serial driver, the HAL, the connector statechart and back:
 *  - pilot → contactor: with a session running, the EV asks for energy — the controller writes
 *    `$AT 03` (state C) — until `$FE` (permission to energise) arrives at the controller; the EV
 *    stops asking between samples (the controller opens its relay itself on B).
 *  - deauthorization → contactor: while charging, the same card is presented again — its line
 *    is written on the reader's pty — until `$FS` (PWM off, relay open) arrives; the CSMS is
 *    told afterwards, never waited for.
 */
import { performance } from 'node:perf_hooks';
import type { RapiSim } from '../hal/serial/rapi-sim.js';
import { eventually } from '../support/evsed.js';
import { status } from '../support/station.js';
import { startSerialStation, stopSerialStation, type SerialStation } from '../e2e/hardware/serial-station.js';
import { quantile } from './stats.js';

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface HardwareLatency {
  pilotToContactor: Percentiles & { samples: number };
  deauthorizeToOpen: Percentiles & { samples: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentiles(xs: number[]): Percentiles & { samples: number } {
  return { samples: xs.length, p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: Math.max(...xs) };
}

/** From `act()` (t0 = the line it writes, or the call itself) until `$code` reaches `sim`, ms. */
async function timeUntilCommand(sim: RapiSim, code: string, act: () => void, writtenPrefix?: string): Promise<number> {
  let t0: number | null = writtenPrefix === undefined ? performance.now() : null;
  let took: number | null = null;
  const offWrite = sim.onWrite((line, atMs) => {
    if (writtenPrefix !== undefined && t0 === null && line.startsWith(writtenPrefix)) t0 = atMs;
  });
  const offCommand = sim.onCommand((c) => {
    if (t0 !== null && took === null && c.code === code) took = c.atMs - t0;
  });
  try {
    act();
    const started = Date.now();
    while (took === null) {
      if (Date.now() - started > 5000) throw new Error(`no $${code} within 5 s`);
      await sleep(1);
    }
    return took;
  } finally {
    offWrite();
    offCommand();
  }
}

async function startSession(s: SerialStation, token: string): Promise<void> {
  const since = s.csms.mark();
  s.rapi.plug();
  await eventually(async () => (await status(s.evsed)).connectors[0]!.pilot === 'B', 3000, 'pilot B');
  s.reader.write(`${token}\r\n`);
  await s.csms.waitForCall('StartTransaction', { since, timeoutMs: 5000, match: (p) => p.idTag === token });
}

export async function hardwareLatency(pilotSamples = 100, deauthSamples = 30): Promise<HardwareLatency> {
  const s = await startSerialStation({ readerRepeatSuppressMs: 0 });
  try {
    const { rapi, evsed } = s;
    await startSession(s, 'BENCH-0');
    const close: number[] = [];
    for (let i = 0; i < pilotSamples; i++) {
      close.push(await timeUntilCommand(rapi, 'FE', () => rapi.request(true), '$AT 03'));
      await eventually(async () => rapi.relayClosed(), 3000, 'relay closed');
      await sleep(20);
      rapi.request(false);
      await eventually(async () => !rapi.relayClosed() && (await status(evsed)).connectors[0]!.pilot === 'B', 3000, 'relay open, pilot B');
      await sleep(20);
    }
    rapi.unplug();
    const open: number[] = [];
    for (let i = 1; i <= deauthSamples; i++) {
      await eventually(async () => (await status(evsed)).connectors[0]!.session === null, 5000, 'no session');
      const token = `BENCH-${i}`;
      await startSession(s, token);
      rapi.request(true);
      await eventually(async () => rapi.relayClosed() && (await status(evsed)).connectors[0]!.contactorClosed, 3000, 'charging');
      await sleep(50);
      open.push(await timeUntilCommand(rapi, 'FS', () => s.reader.write(`${token}\r\n`)));
      await eventually(async () => !rapi.relayClosed(), 3000, 'relay open');
      rapi.request(false);
      rapi.unplug();
    }
    return { pilotToContactor: percentiles(close), deauthorizeToOpen: percentiles(open) };
  } finally {
    await stopSerialStation(s);
  }
}
