/**
 * evsectl — the technician's CLI. Talks to the running evsed over its control socket only; never
 * to the hardware directly.
 *
 * Exit codes (a contract for scripts): 0 success, 1 the daemon refused, 2 usage error,
 * 3 daemon unreachable.
 * Owns: argument parsing against the command table (table.ts), the socket choice (the control
 * socket, or its read-only twin `<path>.ro` for users outside the evsed group), output selection
 * (human / --json), and the client-side commands (watch, bundle).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { controlRequest, ControlUnreachable } from '../control/client.js';
import type { ControlResponse } from '../control/protocol.js';
import { makeStyle } from './format.js';
import { COMMANDS, type ArgKind, type CommandSpec } from './table.js';

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

class UsageError extends Error {}

const CHOICES: Partial<Record<ArgKind, string[]>> = {
  evAction: ['pause', 'resume', 'full'],
  contactorAction: ['open', 'close'],
  lockAction: ['lock', 'unlock'],
};

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
  const choices = CHOICES[kind];
  if (choices) {
    if (!choices.includes(raw)) throw new UsageError(`expected one of ${choices.join(', ')}, got "${raw}"`);
    return raw;
  }
  switch (kind) {
    case 'int':
      if (!/^\d+$/.test(raw)) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
      return Number(raw);
    case 'number':
      if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`${name} must be a number, got "${raw}"`);
      return Number(raw);
    default:
      if (!raw) throw new UsageError(`${name} must not be empty`);
      return raw;
  }
}

const signature = (c: CommandSpec) =>
  [...c.words, ...c.params.map((p) => (p.optional ? `[${p.name}]` : p.name)), ...(c.flags ?? []).map((f) => `[${f.flag}${f.kind === 'int' ? ' N' : ''}]`)].join(' ');

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
  const spec = [...COMMANDS].sort((x, y) => y.words.length - x.words.length).find((c) => c.words.every((w, i) => rest[i] === w));
  if (!spec) throw new UsageError(`unknown command "${rest.join(' ')}"`);
  const args: Record<string, unknown> = {};
  const given: string[] = [];
  const words = rest.slice(spec.words.length);
  for (let i = 0; i < words.length; i += 1) {
    const w = words[i]!;
    const flag = spec.flags?.find((f) => f.flag === w || w.startsWith(`${f.flag}=`));
    if (!flag) {
      if (w.startsWith('--')) throw new UsageError(`unknown option ${w} for "${spec.words.join(' ')}"`);
      given.push(w);
      continue;
    }
    if (flag.kind === 'boolean') args[flag.key] = true;
    else {
      const v = w.includes('=') ? w.slice(w.indexOf('=') + 1) : words[++i];
      if (v === undefined) throw new UsageError(`${flag.flag} needs a value`);
      args[flag.key] = parseValue('int', flag.flag, v);
    }
  }
  const required = spec.params.filter((p) => !p.optional).length;
  if (given.length < required || given.length > spec.params.length) throw new UsageError(`usage: evsectl ${signature(spec)}`);
  spec.params.forEach((p, i) => {
    const raw = given[i];
    if (raw !== undefined) args[p.key] = parseValue(p.kind, p.name, raw);
  });
  return { socket: socket ?? defaultSocket(config), json, spec, args };
}

export function usage(): string {
  const lines = COMMANDS.map((c) => `  ${signature(c).padEnd(42)} ${c.help}`);
  return [
    'usage: evsectl [--socket PATH | --config FILE] [--json] COMMAND',
    '',
    'commands:',
    ...lines,
    '',
    'exit codes: 0 ok, 1 refused by evsed, 2 usage error, 3 evsed unreachable',
  ].join('\n');
}

/** The control socket, or its read-only twin when this user may not open the control socket. */
async function request(socket: string, cmd: string, args: Record<string, unknown>): Promise<ControlResponse> {
  try {
    return await controlRequest(socket, cmd, args);
  } catch (err) {
    const denied = err instanceof ControlUnreachable && /EACCES|EPERM/.test(err.message);
    if (!denied || !existsSync(`${socket}.ro`)) throw err;
    return controlRequest(`${socket}.ro`, cmd, args);
  }
}

async function watch(inv: Invocation): Promise<number> {
  const style = makeStyle(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const intervalMs = Math.max(1, Number(inv.args.interval ?? 1)) * 1000;
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  while (!stop) {
    const r = await request(inv.socket, 'status', {});
    if (!r.ok) {
      process.stderr.write(`evsectl: ${r.error.message} [${r.error.code}]\n`);
      return EXIT.refused;
    }
    if (inv.json) process.stdout.write(`${JSON.stringify(r.result)}\n`);
    else {
      // Redraw in place: cursor home, clear screen.
      if (process.stdout.isTTY) process.stdout.write('\u001b[H\u001b[2J');
      process.stdout.write(`${inv.spec.render!(r.result, style)}\n${style.dim(`refreshed ${new Date().toLocaleTimeString()} · Ctrl-C to leave`)}\n`);
    }
    if (inv.args.count !== undefined) break;
    await new Promise((res) => setTimeout(res, intervalMs));
  }
  return EXIT.ok;
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
  try {
    if (inv.spec.client === 'watch') return await watch(inv);
    const args = { ...inv.args };
    delete args.file;
    const response = await request(inv.socket, inv.spec.cmd, args);
    if (!response.ok) {
      if (inv.json) process.stdout.write(`${JSON.stringify({ error: response.error })}\n`);
      else process.stderr.write(`evsectl: ${response.error.message} [${response.error.code}]\n`);
      return EXIT.refused;
    }
    if (inv.spec.client === 'bundle') {
      const r = response.result as { name: string; bytes: number; base64: string };
      const file = typeof inv.args.file === 'string' ? inv.args.file : r.name;
      writeFileSync(file, Buffer.from(r.base64, 'base64'));
      if (inv.json) process.stdout.write(`${JSON.stringify({ file, bytes: r.bytes })}\n`);
      else process.stdout.write(`wrote ${file} (${r.bytes} bytes): give it to support\n`);
      return EXIT.ok;
    }
    if (inv.json) {
      process.stdout.write(`${JSON.stringify(response.result, null, 2)}\n`);
    } else {
      const style = makeStyle(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
      process.stdout.write(`${inv.spec.render ? inv.spec.render(response.result, style) : 'ok'}\n`);
    }
    // A check that found a problem is a refusal for scripts.
    if (inv.spec.cmd === 'csms.check' && (response.result as { ok?: boolean }).ok === false) return EXIT.refused;
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ControlUnreachable) {
      process.stderr.write(`evsectl: ${err.message}\n`);
      return EXIT.unreachable;
    }
    throw err;
  }
}
