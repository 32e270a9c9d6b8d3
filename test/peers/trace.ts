// Pretty printer of recorded OCPP-J messages for the demo and for debugging failing tests:
//   hh:mm:ss.mmm  CS → CSMS  CALL        StatusNotification            {"connectorId":1,…}
// Owns: the one-line text format, trimming to a width and optional ANSI colours.
// Must not: write anywhere itself (callers decide where lines go) or depend on ocpp-rpc.

import type { RecordedMessage } from './types.js';

export interface FormatOptions {
  /** Maximum visible line length. Default: the terminal width when stdout is a TTY, else 160. */
  width?: number;
  /** ANSI colours. Default: stdout is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Insert the CS identity after the time column. Default false. */
  identity?: boolean;
}

const TYPE_WIDTH = 10; // 'CALLRESULT'
const ACTION_WIDTH = 28;
const DEFAULT_WIDTH = 160;

const ANSI = {
  reset: '\x1b[0m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
} as const;

type Paint = (code: keyof typeof ANSI, text: string) => string;

function painter(color: boolean): Paint {
  return color ? (code, text) => `${ANSI[code]}${text}${ANSI.reset}` : (_code, text) => text;
}

function defaultColor(): boolean {
  return process.stdout.isTTY === true && !process.env['NO_COLOR'];
}

function defaultWidth(): number {
  return process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : DEFAULT_WIDTH;
}

/** Local wall-clock time hh:mm:ss.mmm. */
export function formatTime(atMs: number): string {
  const d = new Date(atMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function bodyOf(m: RecordedMessage): string {
  switch (m.type) {
    case 'CALL':
    case 'CALLRESULT':
      return compactJson(m.payload);
    case 'CALLERROR': {
      const details = m.payload && typeof m.payload === 'object' && Object.keys(m.payload).length > 0
        ? ` ${compactJson(m.payload)}` : '';
      return `${m.errorCode ?? ''} ${compactJson(m.errorDescription ?? '')}${details}`;
    }
    case 'INVALID':
      return m.raw;
  }
}

function trimTo(text: string, max: number): string {
  if (max <= 0) return '';
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** One aligned line per message; the payload is compact JSON trimmed to the width. */
export function formatMessage(m: RecordedMessage, opts: FormatOptions = {}): string {
  const paint = painter(opts.color ?? defaultColor());
  const width = opts.width ?? defaultWidth();

  const time = formatTime(m.at);
  const who = opts.identity ? `${m.identity}  ` : '';
  const dir = m.direction === 'cs→csms' ? 'CS → CSMS' : 'CSMS → CS';
  const type = m.type.padEnd(TYPE_WIDTH);
  const action = (m.action || '?').padEnd(ACTION_WIDTH);
  const flag = m.invalid !== undefined ? `✗ ${m.invalid}  ` : '';

  const prefixLength = time.length + 2 + who.length + dir.length + 2 + type.length + 2 + action.length + 2;
  let rest = flag + bodyOf(m);
  rest = trimTo(rest, width - prefixLength);
  const flagShown = rest.slice(0, Math.min(flag.length, rest.length));
  const bodyShown = rest.slice(flagShown.length);

  const typeColor = m.type === 'CALL' ? 'bold' : m.type === 'CALLRESULT' ? 'green' : m.type === 'CALLERROR' ? 'red' : 'yellow';
  return [
    paint('dim', time), '  ',
    who,
    paint(m.direction === 'cs→csms' ? 'cyan' : 'magenta', dir), '  ',
    paint(typeColor, type), '  ',
    action, '  ',
    flagShown ? paint('red', flagShown) : '',
    bodyShown,
  ].join('').trimEnd();
}

/** A non-message line (connection opened/closed, refusals) in the same time column. */
export function formatEvent(atMs: number, text: string, opts: FormatOptions = {}): string {
  const paint = painter(opts.color ?? defaultColor());
  const width = opts.width ?? defaultWidth();
  const time = formatTime(atMs);
  return `${paint('dim', time)}  ${paint('yellow', trimTo(`── ${text}`, width - time.length - 2))}`;
}
