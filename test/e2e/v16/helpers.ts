/**
 * Shared set-up of the OCPP 1.6 end-to-end suites about Central System requests: evsed on the
 * simulated board (two connectors, the first with a lock) against the ocpp-rpc strict test CSMS,
 * restarts on the same data directory, and filters over what crossed the wire.
 *
 * Owns: a "rig" (CSMS + evsed processes + one data directory) and its disposal. Must not: reach
 * into evsed's src/ (everything goes through OCPP, the control socket and the process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestCsms, type RecordedMessage, type TestCsmsOptions } from '../../peers/csms.js';
import { EvsedProcess, eventually, type EvsedOptions } from '../../support/evsed.js';
import { waitAccepted } from '../../support/station.js';

export type Settings = Record<string, string | number | boolean>;

export interface RigOptions {
  settings?: Settings;
  csms?: TestCsmsOptions;
  /** Default 2. Connector 1 has a lock, the others have none. */
  connectors?: number;
  /** evsed's log level (default info); its log is in `rig.evsed.logs`. */
  logLevel?: string;
}

export interface Rig {
  csms: TestCsms;
  /** The evsed process now running (replaced by restart()). */
  evsed: EvsedProcess;
  procs: EvsedProcess[];
  dataDir: string;
  opts: EvsedOptions;
}

/** Evsed settings every suite here starts with: no periodic samples, fast reconnects. */
export const BASE_SETTINGS: Settings = {
  MeterValueSampleInterval: 0,
  RetryBackOffWaitMinimum: 1,
  RetryBackOffRandomRange: 0,
  RetryBackOffRepeatTimes: 0,
};

export async function startRig(o: RigOptions = {}): Promise<Rig> {
  const csms = await TestCsms.start({ protocols: ['ocpp1.6'], ...(o.csms ?? {}) });
  const n = o.connectors ?? 2;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evsed-v16-'));
  const opts: EvsedOptions = {
    csmsUrl: csms.url,
    connectors: n,
    timeScale: 60,
    dataDir,
    ...(o.logLevel ? { logLevel: o.logLevel } : {}),
    settings: { ...BASE_SETTINGS, ...(o.settings ?? {}) },
    extra: {
      evses: Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        connectors: [{ id: 1, maxCurrentA: 32, phases: 3, hasLock: i === 0 }],
      })),
    },
  };
  const evsed = new EvsedProcess(opts);
  const rig: Rig = { csms, evsed, procs: [evsed], dataDir, opts };
  try {
    await evsed.start();
    await waitAccepted(evsed);
    await bootStatuses(rig, 0);
  } catch (err) {
    // The caller gets no rig to dispose: clean up here, or the open CSMS keeps the file running.
    await disposeRig(rig);
    throw err;
  }
  return rig;
}

/** Graceful stop (SIGTERM), then a new evsed process on the same data directory, registered again. */
export async function restart(rig: Rig): Promise<EvsedProcess> {
  const code = await rig.evsed.stop();
  if (code !== 0) throw new Error(`evsed exited with ${code} on SIGTERM:\n${rig.evsed.logs}`);
  const since = rig.csms.mark();
  const next = new EvsedProcess(rig.opts);
  rig.procs.push(next);
  rig.evsed = next;
  await next.start();
  await waitAccepted(next);
  await bootStatuses(rig, since);
  return next;
}

/**
 * Wait until the StatusNotifications that follow an accepted BootNotification (every connector,
 * 0 included, errata 3.22) have all arrived, so a test's `mark()` starts from a quiet link.
 */
export async function bootStatuses(rig: Rig, since: number): Promise<void> {
  const boot = await rig.csms.waitForCall('BootNotification', { since });
  const n = rig.opts.connectors ?? 1;
  for (let id = 0; id <= n; id++) {
    await rig.csms.waitForCall('StatusNotification', { since: boot.seq, match: (p) => p.connectorId === id });
  }
}

export async function disposeRig(rig: Rig | undefined): Promise<void> {
  if (!rig) return;
  for (const p of rig.procs) await p.dispose();
  rmSync(rig.dataDir, { recursive: true, force: true });
  await rig.csms.stop();
}

/** StatusNotification payloads sent from `since`, optionally of one connector. */
export function notes(csms: TestCsms, since = 0, connectorId?: number): any[] {
  return csms
    .calls('StatusNotification')
    .filter((m) => m.seq >= since && (connectorId === undefined || m.payload.connectorId === connectorId))
    .map((m) => m.payload);
}

/** The statuses of one connector's StatusNotifications from `since`, in order. */
export function statuses(csms: TestCsms, connectorId: number, since = 0): string[] {
  return notes(csms, since, connectorId).map((p) => p.status);
}

/** Wait for a StatusNotification of `connectorId` with `status` from `since`. */
export function waitStatus(csms: TestCsms, connectorId: number, status: string, since = 0, timeoutMs = 5000): Promise<RecordedMessage> {
  return csms.waitForCall('StatusNotification', {
    since,
    timeoutMs,
    match: (p) => p.connectorId === connectorId && p.status === status,
  });
}

/** evsed's answer (CALLRESULT or CALLERROR) to the latest CSMS CALL of `action` from `since`. */
export function replyTo(csms: TestCsms, action: string, since = 0): RecordedMessage | undefined {
  return csms.messages
    .filter((m) => m.seq >= since && m.direction === 'cs→csms' && (m.type === 'CALLRESULT' || m.type === 'CALLERROR') && m.action === action)
    .at(-1);
}

/** An ISO date `ms` from now. */
export const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

/**
 * After a Reset: the next BootNotification from `since`, once evsed is registered again; fails at
 * once (with Node's report of the crash) if the process exits instead of restarting in-process.
 */
export async function waitRestart(rig: Rig, since: number, timeoutMs = 8000): Promise<RecordedMessage> {
  const evsed = rig.evsed;
  const booted = (async () => {
    const boot = await rig.csms.waitForCall('BootNotification', { since, timeoutMs });
    await waitAccepted(evsed, timeoutMs);
    return boot;
  })();
  const exited = eventually(() => !evsed.running, timeoutMs + 1000, 'evsed exit').then(() => {
    // The non-JSON lines are Node's report of an uncaught error.
    const crash = evsed.logs.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{')).slice(0, 6).map((l) => l.trim());
    throw new Error(`evsed exited (code ${evsed.exitCode}) instead of restarting in-process: ${crash.join(' | ')}`);
  });
  exited.catch(() => undefined);
  booted.catch(() => undefined);
  return Promise.race([booted, exited]);
}
