/**
 * evsectl — the technician's CLI. Talks to the running evsed over its control socket only; never
 * to the hardware directly.
 *
 * Exit codes (a contract for scripts): 0 success, 1 the daemon refused, 2 usage error,
 * 3 daemon unreachable.
 * Owns: argument parsing, the command table, output selection (human / --json).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { controlRequest, ControlUnreachable } from '../control/client.js';
import type { StatusResult } from '../control/types.js';
import { formatStatus, makeStyle, type Style } from './format.js';

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

class UsageError extends Error {}

type ArgKind = 'int' | 'string' | 'fault' | 'evAction';
interface CommandSpec {
  words: string[];
  params: Array<{ name: string; kind: ArgKind; optional?: boolean }>;
  cmd: string;
  help: string;
  render?: (result: any, style: Style) => string;
}

const EV_ACTIONS = ['pause', 'resume', 'full'];

export const COMMANDS: CommandSpec[] = [
  {
    words: ['status'],
    params: [],
    cmd: 'status',
    help: 'station, CSMS link and every connector',
    render: (r: StatusResult, style) => formatStatus(r, style),
  },
  {
    words: ['sim', 'plug'],
    params: [{ name: 'N', kind: 'int' }],
    cmd: 'sim.plug',
    help: 'simulated EV connects at connector N',
  },
  {
    words: ['sim', 'unplug'],
    params: [{ name: 'N', kind: 'int' }],
    cmd: 'sim.unplug',
    help: 'simulated EV disconnects from connector N',
  },
  {
    words: ['sim', 'swipe'],
    params: [
      { name: 'TOKEN', kind: 'string' },
      { name: 'N', kind: 'int', optional: true },
    ],
    cmd: 'sim.swipe',
    help: 'present an RFID card (optionally at connector N)',
    render: (r: { connector: number; action: string; reason?: string }) =>
      `connector ${r.connector}: ${r.action}${r.reason ? ` (${r.reason})` : ''}`,
  },
  {
    words: ['sim', 'ev'],
    params: [
      { name: 'N', kind: 'int' },
      { name: 'pause|resume|full', kind: 'evAction' },
    ],
    cmd: 'sim.ev',
    help: 'the simulated EV stops drawing, resumes, or its battery is full',
  },
  {
    words: ['sim', 'fault'],
    params: [
      { name: 'N', kind: 'int' },
      { name: 'CODE', kind: 'fault' },
    ],
    cmd: 'sim.fault',
    help: 'raise a hardware fault at connector N (0 = whole board)',
  },
  {
    words: ['sim', 'clear'],
    params: [
      { name: 'N', kind: 'int' },
      { name: 'CODE', kind: 'fault', optional: true },
    ],
    cmd: 'sim.clear',
    help: 'clear hardware faults at connector N (all, or just CODE)',
  },
];

export interface Invocation {
  socket: string;
  json: boolean;
  spec: CommandSpec;
  args: Record<string, unknown>;
}

function defaultSocket(configFile: string | undefined): string {
  if (configFile) {
    const cfg = JSON.parse(readFileSync(configFile, 'utf8')) as { controlSocket?: string; dataDir?: string };
    const base = path.dirname(path.resolve(configFile));
    if (cfg.controlSocket) return path.resolve(base, cfg.controlSocket);
    return path.join(path.resolve(base, cfg.dataDir ?? './var'), 'evsed.sock');
  }
  if (process.env.EVSED_SOCKET) return process.env.EVSED_SOCKET;
  if (existsSync('/run/evsed/control.sock')) return '/run/evsed/control.sock';
  return path.resolve('var', 'evsed.sock');
}

function parseValue(kind: ArgKind, name: string, raw: string): unknown {
  switch (kind) {
    case 'int': {
      if (!/^\d+$/.test(raw)) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
      return Number(raw);
    }
    case 'evAction':
      if (!EV_ACTIONS.includes(raw)) throw new UsageError(`expected one of ${EV_ACTIONS.join(', ')}, got "${raw}"`);
      return raw;
    case 'fault':
    case 'string':
      if (!raw) throw new UsageError(`${name} must not be empty`);
      return raw;
  }
}

const ARG_NAMES: Record<string, string> = { N: 'connector', TOKEN: 'token', CODE: 'code', 'pause|resume|full': 'action' };

export function parseArgs(argv: string[]): Invocation {
  let socket: string | undefined;
  let config: string | undefined;
  let json = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--socket' || a === '--config') {
      const v = argv[i + 1];
      if (!v) throw new UsageError(`${a} needs a value`);
      if (a === '--socket') socket = v;
      else config = v;
      i += 1;
    } else if (a.startsWith('--socket=')) socket = a.slice(9);
    else if (a.startsWith('--config=')) config = a.slice(9);
    else if (a.startsWith('--') && rest.length === 0) throw new UsageError(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest.length === 0) throw new UsageError('no command given');
  const spec = [...COMMANDS]
    .sort((x, y) => y.words.length - x.words.length)
    .find((c) => c.words.every((w, i) => rest[i] === w));
  if (!spec) throw new UsageError(`unknown command "${rest.join(' ')}"`);
  const given = rest.slice(spec.words.length);
  const required = spec.params.filter((p) => !p.optional).length;
  if (given.length < required || given.length > spec.params.length) {
    throw new UsageError(`usage: evsectl ${spec.words.join(' ')} ${spec.params.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(' ')}`);
  }
  const args: Record<string, unknown> = {};
  spec.params.forEach((p, i) => {
    const raw = given[i];
    if (raw !== undefined) args[ARG_NAMES[p.name] ?? p.name] = parseValue(p.kind, p.name, raw);
  });
  return { socket: socket ?? defaultSocket(config), json, spec, args };
}

export function usage(): string {
  const lines = COMMANDS.map((c) => {
    const sig = [...c.words, ...c.params.map((p) => (p.optional ? `[${p.name}]` : p.name))].join(' ');
    return `  ${sig.padEnd(30)} ${c.help}`;
  });
  return [
    'usage: evsectl [--socket PATH | --config FILE] [--json] COMMAND',
    '',
    'commands:',
    ...lines,
    '',
    'exit codes: 0 ok, 1 refused by evsed, 2 usage error, 3 evsed unreachable',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    process.stdout.write(`${usage()}\n`);
    return EXIT.ok;
  }
  let inv: Invocation;
  try {
    inv = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError || err instanceof SyntaxError) {
      process.stderr.write(`evsectl: ${err.message}\n\n${usage()}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  let response;
  try {
    response = await controlRequest(inv.socket, inv.spec.cmd, inv.args);
  } catch (err) {
    if (err instanceof ControlUnreachable) {
      process.stderr.write(`evsectl: ${err.message}\n`);
      return EXIT.unreachable;
    }
    throw err;
  }
  if (!response.ok) {
    if (inv.json) process.stdout.write(`${JSON.stringify({ error: response.error })}\n`);
    else process.stderr.write(`evsectl: ${response.error.message} [${response.error.code}]\n`);
    return EXIT.refused;
  }
  if (inv.json) {
    process.stdout.write(`${JSON.stringify(response.result, null, 2)}\n`);
  } else {
    const style = makeStyle(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
    const text = inv.spec.render ? inv.spec.render(response.result, style) : 'ok';
    process.stdout.write(`${text}\n`);
  }
  return EXIT.ok;
}
