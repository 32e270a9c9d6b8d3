/**
 * Latency of the serial driver from a pilot change to the command that lets the relay close,
 * measured at the simulated controller (for the benchmark).
 *
 * Owns: `measurePilotToContactor(n, options)`: a serial board with a simulated OpenEVSE on a
 * pty, an EV plugged in and an offer made; then n times: the EV asks for energy, the simulator
 * writes `$AT 03 …` (state C) on the pty — t0 — the driver reports `hal.cpChanged` C, the
 * `onPilot` callback turns it into the contactor command (by default `setContactor(true)`;
 * the lead plugs the connector statechart in here), the driver sends `$FE` (the permission to
 * energise: see hal/serial/connector.ts), and the simulator receives it — t1. A sample is
 * t1 − t0 in ms (performance.now(), same process). Between samples the EV stops asking and
 * the callback opens the contactor again.
 *
 * Must not: use evsed's statechart itself (hal tests stay below statecharts/).
 */
import { HalError } from '../../../hal/errors.js';
import type { Board, ConnectorHardware, HalEvent } from '../../../hal/types.js';
import { serialHarness, sleep } from './serial-rig.js';

export type PilotEvent = Extract<HalEvent, { type: 'hal.cpChanged' }>;

export interface LatencyOptions {
  /** Turn a pilot event into contactor commands. Default: C/D → setContactor(true), else false.
   * A rejected promise (or a throw) fails the measurement. */
  onPilot?: (event: PilotEvent, hw: ConnectorHardware) => void | Promise<void>;
  /** Before the first sample, with the EV plugged in (pilot B): e.g. start a statechart on `hw`,
   * subscribe it to `board`, authorize. Default: setOffer(16). */
  prepare?: (hw: ConnectorHardware, board: Board) => Promise<void>;
  /** RAPI commands that count as "the contactor command arrived". Default ['FE']. */
  commandCodes?: readonly string[];
  /** Pause between samples, ms. Default 20. */
  gapMs?: number;
  /** Give up on one sample after this long, ms. Default 3000. */
  sampleTimeoutMs?: number;
}

/** C/D → permission, else none; a command overtaken by the next pilot change is not a failure. */
const defaultOnPilot = (event: PilotEvent, hw: ConnectorHardware): Promise<void> =>
  hw.setContactor(event.state === 'C' || event.state === 'D').catch((error: unknown) => {
    if (error instanceof HalError && error.code === 'contactorFeedback' && /superseded/.test(error.message)) return;
    throw error;
  });

/** Samples of pilot-C-written → contactor-command-received, ms. */
export async function measurePilotToContactor(n: number, options: LatencyOptions = {}): Promise<number[]> {
  const codes = options.commandCodes ?? ['FE'];
  const gapMs = options.gapMs ?? 20;
  const sampleTimeoutMs = options.sampleTimeoutMs ?? 3000;
  const onPilot = options.onPilot ?? defaultOnPilot;
  const h = await serialHarness({ meters: 'controller' });
  const samples: number[] = [];
  try {
    const hw = h.hw(1);
    const sim = h.rapi.get(1);
    if (!sim) throw new Error('no simulated controller');
    const failures: unknown[] = [];
    const off = h.board.on((event) => {
      if (event.type !== 'hal.cpChanged' || event.connector !== 1) return;
      (async () => onPilot(event, hw))().catch((error: unknown) => failures.push(error));
    });
    const check = (): void => {
      if (failures.length > 0) throw new Error(`the pilot callback failed: ${String(failures[0])}`);
    };
    sim.plug();
    await h.until('pilot B', () => hw.pilot() === 'B');
    await (options.prepare ? options.prepare(hw, h.board) : hw.setOffer(16));
    for (let i = 0; i < n; i++) {
      let writtenAt: number | null = null;
      let sample: number | null = null;
      const offWrite = sim.onWrite((line, atMs) => {
        if (writtenAt === null && line.startsWith('$AT 03')) writtenAt = atMs;
      });
      const offCommand = sim.onCommand((command) => {
        if (writtenAt !== null && sample === null && codes.includes(command.code)) sample = command.atMs - writtenAt;
      });
      sim.request(true);
      await h.until(`sample ${i}`, () => sample !== null || failures.length > 0, sampleTimeoutMs);
      check();
      offWrite();
      offCommand();
      samples.push(sample ?? NaN);
      sim.request(false);
      await h.until('pilot B again', () => hw.pilot() === 'B');
      await sleep(gapMs);
      check();
    }
    off();
  } finally {
    await h.close();
  }
  return samples;
}
