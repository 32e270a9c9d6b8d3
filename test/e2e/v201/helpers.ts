/**
 * Shared set-up of the OCPP 2.0.1 end-to-end suites about CSMS requests: evsed on the simulated
 * board (two EVSEs with one connector each; EVSE 1's connector has a lock) against the ocpp-rpc
 * strict test CSMS speaking ocpp2.0.1, restarts on the same data directory, device-model calls,
 * and filters over what crossed the wire. Mirrors test/e2e/v16/helpers.ts.
 *
 * Owns: a "rig" (CSMS + evsed processes + one data directory) and its disposal. Must not: reach
 * into evsed's src/ (everything goes through OCPP, the control socket and the process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CsmsCallError, TestCsms, type RecordedMessage, type TestCsmsOptions } from '../../peers/csms.js';
import { EvsedProcess, eventually, type EvsedOptions } from '../../support/evsed.js';
import { waitAccepted } from '../../support/station.js';

export type Settings = Record<string, string | number | boolean>;

export interface RigOptions {
  settings?: Settings;
  csms?: TestCsmsOptions;
  /** Default 2 (EVSE 1 and EVSE 2, one connector each). EVSE 1's connector has a lock. */
  evses?: number;
  /** Extra EvsedProcess options (identity, password, securityProfile, …). */
  evsed?: Partial<EvsedOptions>;
  /**
   * Default true: wait until the station is accepted and has reported every connector (and its
   * start-up security event). false: return as soon as the process runs (Pending / Rejected tests).
   */
  registered?: boolean;
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
  const csms = await TestCsms.start({ protocols: ['ocpp2.0.1'], ...(o.csms ?? {}) });
  const n = o.evses ?? 2;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evsed-v201-'));
  const opts: EvsedOptions = {
    csmsUrl: csms.url,
    protocols: ['ocpp2.0.1'],
    connectors: n,
    timeScale: 60,
    dataDir,
    ...(o.evsed ?? {}),
    settings: { ...BASE_SETTINGS, ...(o.settings ?? {}) },
    extra: {
      evses: Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        connectors: [{ id: 1, type: 'cType2', maxCurrentA: 32, phases: 3, hasLock: i === 0 }],
      })),
    },
  };
  const evsed = new EvsedProcess(opts);
  const rig: Rig = { csms, evsed, procs: [evsed], dataDir, opts };
  try {
    await evsed.start();
    if (o.registered ?? true) {
      await waitAccepted(evsed);
      await bootStatuses(rig, 0);
    }
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
 * Wait until what follows an accepted BootNotification has arrived — a StatusNotification for
 * every connector (B01.FR.05) and the SecurityEventNotification that says why the station started
 * (OCTT "Booted" state) — so a test's `mark()` starts from a quiet link. Returns the boot.
 */
export async function bootStatuses(rig: Rig, since: number): Promise<RecordedMessage> {
  const boot = await rig.csms.waitForCall('BootNotification', { since });
  const n = rig.opts.connectors ?? 1;
  for (let id = 1; id <= n; id++) {
    await rig.csms.waitForCall('StatusNotification', { since: boot.seq, match: (p) => p.evseId === id });
  }
  await rig.csms.waitForCall('SecurityEventNotification', { since: boot.seq });
  return boot;
}

export async function disposeRig(rig: Rig | undefined): Promise<void> {
  if (!rig) return;
  for (const p of rig.procs) await p.dispose();
  rmSync(rig.dataDir, { recursive: true, force: true });
  await rig.csms.stop();
}

/** StatusNotification payloads sent from `since`, optionally of one EVSE (whose only connector is 1). */
export function notes(csms: TestCsms, since = 0, evseId?: number): any[] {
  return csms
    .calls('StatusNotification')
    .filter((m) => m.seq >= since && (evseId === undefined || m.payload.evseId === evseId))
    .map((m) => m.payload);
}

/** The connectorStatus values of one EVSE's StatusNotifications from `since`, in order. */
export function statuses(csms: TestCsms, evseId: number, since = 0): string[] {
  return notes(csms, since, evseId).map((p) => p.connectorStatus);
}

/** Wait for a StatusNotification of `evseId` (connector 1) with `status` from `since`. */
export function waitStatus(csms: TestCsms, evseId: number, status: string, since = 0, timeoutMs = 5000): Promise<RecordedMessage> {
  return csms.waitForCall('StatusNotification', {
    since,
    timeoutMs,
    match: (p) => p.evseId === evseId && p.connectorId === 1 && p.connectorStatus === status,
  });
}

/** TransactionEvent CALLs from `since`. */
export function txEvents(csms: TestCsms, since = 0): RecordedMessage[] {
  return csms.calls('TransactionEvent').filter((m) => m.seq >= since);
}

/** evsed's answer (CALLRESULT or CALLERROR) to the latest CSMS CALL of `action` from `since`. */
export function replyTo(csms: TestCsms, action: string, since = 0): RecordedMessage | undefined {
  return csms.messages
    .filter((m) => m.seq >= since && m.direction === 'cs→csms' && (m.type === 'CALLRESULT' || m.type === 'CALLERROR') && m.action === action)
    .at(-1);
}

/** The CALLERROR a CSMS call ended with (fails when the CS answered with a CALLRESULT). */
export async function callError(p: Promise<unknown>): Promise<CsmsCallError> {
  try {
    const result = await p;
    throw new Error(`expected a CALLERROR, got the CALLRESULT ${JSON.stringify(result)}`);
  } catch (err) {
    if (err instanceof CsmsCallError) return err;
    throw err;
  }
}

/** An ISO date `ms` from now. */
export const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

export interface ComponentRef {
  name: string;
  instance?: string;
  evse?: { id: number; connectorId?: number };
}

export interface VariableRef {
  name: string;
  instance?: string;
}

/** GetVariables of one variable; the single getVariableResult. */
export async function getVar(csms: TestCsms, component: ComponentRef | string, variable: VariableRef | string, attributeType?: string): Promise<any> {
  const r = await csms.call('GetVariables', {
    getVariableData: [
      {
        component: typeof component === 'string' ? { name: component } : component,
        variable: typeof variable === 'string' ? { name: variable } : variable,
        ...(attributeType ? { attributeType } : {}),
      },
    ],
  });
  return r.getVariableResult[0];
}

/** SetVariables of one variable; the single setVariableResult. */
export async function setVar(csms: TestCsms, component: ComponentRef | string, variable: VariableRef | string, value: string, attributeType?: string): Promise<any> {
  const r = await csms.call('SetVariables', {
    setVariableData: [
      {
        component: typeof component === 'string' ? { name: component } : component,
        variable: typeof variable === 'string' ? { name: variable } : variable,
        attributeValue: value,
        ...(attributeType ? { attributeType } : {}),
      },
    ],
  });
  return r.setVariableResult[0];
}

/** Plug an EV into connector `n` (= EVSE n) and present `token` there; resolves on the Started event. */
export async function startCharging(rig: Rig, n: number, token: string): Promise<RecordedMessage> {
  const since = rig.csms.mark();
  await rig.evsed.ctl('sim.plug', { connector: n });
  const swipe = await rig.evsed.ctl('sim.swipe', { token, connector: n });
  if (swipe.action !== 'started') throw new Error(`swipe of ${token} at ${n}: ${JSON.stringify(swipe)}`);
  const started = await rig.csms.waitForCall('TransactionEvent', { since, match: (p) => p.eventType === 'Started' && p.evse?.id === n });
  await eventually(async () => (await rig.evsed.ctl('status')).connectors[n - 1].state === 'charging', 5000, `connector ${n} charging`);
  return started;
}

/**
 * After a Reset: the next BootNotification from `since`, once evsed is registered again; fails at
 * once (with Node's report of the crash) if the process exits instead of restarting in-process.
 */
export async function waitRestart(rig: Rig, since: number, timeoutMs = 10_000): Promise<RecordedMessage> {
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
