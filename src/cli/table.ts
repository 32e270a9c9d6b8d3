/**
 * The evsectl command table: words, arguments, flags, the control command each becomes, and how
 * its result is printed. Adding a command means adding an entry here (and a handler in
 * src/control/). Must not: talk to the daemon.
 */
import type { StatusResult } from '../control/types.js';
import { formatStatus, type Style } from './format.js';
import {
  renderCheck,
  renderConfigGet,
  renderConfigList,
  renderHardware,
  renderMeter,
  renderQueue,
  renderSelftest,
  renderTrace,
  renderTransactions,
} from './render.js';

export type ArgKind = 'int' | 'string' | 'fault' | 'evAction' | 'contactorAction' | 'lockAction' | 'number';

export interface ParamSpec {
  name: string;
  /** Key in the control request's args. */
  key: string;
  kind: ArgKind;
  optional?: boolean;
}

export interface FlagSpec {
  flag: string;
  key: string;
  kind: 'boolean' | 'int';
  help: string;
}

export interface CommandSpec {
  words: string[];
  params: ParamSpec[];
  flags?: FlagSpec[];
  cmd: string;
  help: string;
  render?: (result: any, style: Style) => string;
  /** Handled in evsectl itself around the request (watch, bundle). */
  client?: 'watch' | 'bundle';
}

const N = (optional = false): ParamSpec => ({ name: 'N', key: 'connector', kind: 'int', optional });
const FORCE: FlagSpec = { flag: '--force', key: 'force', kind: 'boolean', help: 'even while a transaction runs' };

export const COMMANDS: CommandSpec[] = [
  { words: ['status'], params: [], cmd: 'status', help: 'station, CSMS link and every connector', render: (r: StatusResult, s) => formatStatus(r, s) },
  {
    words: ['watch'],
    params: [],
    flags: [{ flag: '--interval', key: 'interval', kind: 'int', help: 'seconds between refreshes (default 1)' }],
    cmd: 'status',
    help: 'live status, refreshed in place (Ctrl-C to leave)',
    client: 'watch',
    render: (r: StatusResult, s) => formatStatus(r, s),
  },
  { words: ['csms', 'check'], params: [], cmd: 'csms.check', help: 'diagnose the connection to the CSMS step by step', render: renderCheck },
  { words: ['config', 'list'], params: [], cmd: 'config.list', help: 'every setting (1.6 key, 2.0.1 variable, value)', render: renderConfigList },
  { words: ['config', 'get'], params: [{ name: 'KEY', key: 'key', kind: 'string' }], cmd: 'config.get', help: 'one setting, by 1.6 key or 2.0.1 variable', render: renderConfigGet },
  {
    words: ['config', 'set'],
    params: [
      { name: 'KEY', key: 'key', kind: 'string' },
      { name: 'VALUE', key: 'value', kind: 'string' },
    ],
    cmd: 'config.set',
    help: 'change a setting (same checks as the CSMS; logged)',
    render: (r: { key: string; status: string }) => `${r.key}: ${r.status}`,
  },
  {
    words: ['queue'],
    params: [],
    flags: [{ flag: '--list', key: 'list', kind: 'int', help: 'how many queued messages to list (default 20)' }],
    cmd: 'queue',
    help: 'offline queue: depth, oldest message, kinds, messages',
    render: renderQueue,
  },
  {
    words: ['transactions'],
    params: [],
    flags: [{ flag: '--limit', key: 'limit', kind: 'int', help: 'how many (default 20)' }],
    cmd: 'transactions',
    help: 'recent transactions with energy and stop reasons',
    render: renderTransactions,
  },
  { words: ['trace'], params: [{ name: 'COUNT', key: 'count', kind: 'int', optional: true }], cmd: 'trace', help: 'the last OCPP frames, both ways', render: renderTrace },
  { words: ['hw', 'info'], params: [], cmd: 'hw.info', help: 'what the hardware driver talks to: ports, controllers, meters, readers, CAN nodes', render: renderHardware },
  { words: ['hw', 'meter'], params: [N(true)], cmd: 'hw.meter', help: 'read the meter(s) now', render: renderMeter },
  { words: ['hw', 'selftest'], params: [N()], cmd: 'hw.selftest', help: 'pilot, contactor, lock, RCD test of an idle connector', render: renderSelftest },
  {
    words: ['hw', 'contactor'],
    params: [N(), { name: 'open|close', key: 'action', kind: 'contactorAction' }],
    flags: [FORCE],
    cmd: 'hw.contactor',
    help: 'bring-up: open or close the contactor',
    render: (r: { connector: number; contactor: { commanded: boolean; feedback: boolean | null } }) =>
      `connector ${r.connector}: contactor commanded ${r.contactor.commanded ? 'closed' : 'open'}, feedback ${r.contactor.feedback === null ? 'none' : r.contactor.feedback ? 'closed' : 'open'}`,
  },
  {
    words: ['hw', 'lock'],
    params: [N(), { name: 'lock|unlock', key: 'action', kind: 'lockAction' }],
    flags: [FORCE],
    cmd: 'hw.lock',
    help: 'bring-up: lock or unlock the connector',
    render: (r: { connector: number; locked: boolean }) => `connector ${r.connector}: ${r.locked ? 'locked' : 'unlocked'}`,
  },
  {
    words: ['limit', 'set'],
    params: [N(), { name: 'AMPS', key: 'amps', kind: 'number' }],
    cmd: 'limit.set',
    help: 'local limit of an energy manager at connector N (0 = station), A per phase',
    render: (r: { connector: number; limitA: number; appliedA: number | null }) =>
      `connector ${r.connector}: local limit ${r.limitA} A${r.appliedA === null ? '' : `, applied now ${r.appliedA} A`}`,
  },
  {
    words: ['limit', 'clear'],
    params: [N()],
    cmd: 'limit.clear',
    help: 'remove the local limit at connector N (0 = station)',
    render: (r: { connector: number; appliedA: number | null }) => `connector ${r.connector}: local limit cleared${r.appliedA === null ? '' : `, applied now ${r.appliedA} A`}`,
  },
  { words: ['bundle'], params: [{ name: 'FILE', key: 'file', kind: 'string', optional: true }], cmd: 'bundle', help: 'write a diagnostics archive for support', client: 'bundle' },
  { words: ['sim', 'plug'], params: [N()], cmd: 'sim.plug', help: 'simulated EV connects at connector N' },
  { words: ['sim', 'unplug'], params: [N()], cmd: 'sim.unplug', help: 'simulated EV disconnects from connector N' },
  {
    words: ['sim', 'swipe'],
    params: [{ name: 'TOKEN', key: 'token', kind: 'string' }, N(true)],
    cmd: 'sim.swipe',
    help: 'present an RFID card (optionally at connector N)',
    render: (r: { connector: number; action: string; reason?: string }) => `connector ${r.connector}: ${r.action}${r.reason ? ` (${r.reason})` : ''}`,
  },
  { words: ['sim', 'ev'], params: [N(), { name: 'pause|resume|full', key: 'action', kind: 'evAction' }], cmd: 'sim.ev', help: 'the simulated EV stops drawing, resumes, or its battery is full' },
  { words: ['sim', 'fault'], params: [N(), { name: 'CODE', key: 'code', kind: 'fault' }], cmd: 'sim.fault', help: 'raise a hardware fault at connector N (0 = whole board)' },
  { words: ['sim', 'clear'], params: [N(), { name: 'CODE', key: 'code', kind: 'fault', optional: true }], cmd: 'sim.clear', help: 'clear hardware faults at connector N (all, or just CODE)' },
];
