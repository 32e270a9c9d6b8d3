/**
 * Test support: small helpers over a running evsed (status polling) and a test CSMS (message
 * filtering), shared by the end-to-end suites.
 */
import type { StatusResult } from '../../src/control/types.js';
import type { RecordedMessage, TestCsms } from '../peers/csms.js';
import { eventually, type EvsedProcess } from './evsed.js';

export async function status(evsed: EvsedProcess): Promise<StatusResult> {
  return evsed.ctl<StatusResult>('status');
}

/** Wait until connector `n` (1-based) is in `state` (statechart state name). */
export async function waitState(evsed: EvsedProcess, n: number, state: string, timeoutMs = 5000): Promise<void> {
  await eventually(async () => (await status(evsed)).connectors[n - 1]?.state === state, timeoutMs, `connector ${n} ${state}`);
}

/** Wait until the station is registered with the CSMS. */
export async function waitAccepted(evsed: EvsedProcess, timeoutMs = 8000): Promise<void> {
  await eventually(async () => (await status(evsed)).csms.registration === 'accepted' && (await status(evsed)).csms.connected, timeoutMs, 'registration accepted');
}

/** CS→CSMS CALLs of `action` from index `since`. */
export function callsSince(csms: TestCsms, action: string, since = 0): RecordedMessage[] {
  return csms.calls(action).filter((m) => m.seq >= since);
}

/** The CS→CSMS CALLs of transaction messages, in order, as [action, payload]. */
export function txMessages(csms: TestCsms, since = 0): Array<[string, any]> {
  return csms
    .calls()
    .filter((m) => m.seq >= since && ['StartTransaction', 'StopTransaction', 'MeterValues'].includes(m.action))
    .map((m) => [m.action, m.payload]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CALLRESULT (or CALLERROR) answering a recorded CALL, once it has been recorded. */
export async function answerTo(csms: TestCsms, call: RecordedMessage, timeoutMs = 5000): Promise<RecordedMessage> {
  return csms.waitFor((m) => (m.type === 'CALLRESULT' || m.type === 'CALLERROR') && m.id === call.id && m.direction !== call.direction, { timeoutMs });
}
