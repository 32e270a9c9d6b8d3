/**
 * Log output for pino: journald's native protocol when evsed runs under systemd (so `component`,
 * `connector`, `transaction`, `messageId` … become journal fields: `journalctl -u evsed
 * EVSED_CONNECTOR=1`), plain JSON lines on stdout otherwise; and a ring of the latest lines for
 * `evsectl bundle`.
 *
 * Owns: mapping one pino JSON line to journal fields (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER,
 * EVSED_*), the datagram encoding (KEY=value, or the length-prefixed form for values with line
 * breaks), and the fallback to stdout when the journal socket fails. Must not: filter or reformat
 * what is logged.
 */
import { existsSync } from 'node:fs';
import { createUnixDgramSocket, type UnixDgramSocket } from './unix-dgram.js';

export const JOURNAL_SOCKET = '/run/systemd/journal/socket';

const PRIORITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };

/** journald field names: upper case letters, digits and underscores. */
const FIELDS: Record<string, string> = {
  component: 'EVSED_COMPONENT',
  connector: 'EVSED_CONNECTOR',
  transaction: 'EVSED_TRANSACTION',
  messageId: 'EVSED_MESSAGE_ID',
  protocol: 'EVSED_PROTOCOL',
  action: 'EVSED_ACTION',
  identity: 'EVSED_IDENTITY',
};

function field(name: string, value: string): Buffer {
  if (!value.includes('\n')) return Buffer.from(`${name}=${value}\n`);
  const data = Buffer.from(value);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  return Buffer.concat([Buffer.from(`${name}\n`), len, data, Buffer.from('\n')]);
}

/** One journal entry for one pino line. */
export function journalEntry(line: string): Buffer {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return Buffer.concat([field('MESSAGE', line.trimEnd()), field('PRIORITY', '6'), field('SYSLOG_IDENTIFIER', 'evsed')]);
  }
  const parts = [
    field('MESSAGE', String(rec.msg ?? '')),
    field('PRIORITY', String(PRIORITY[Number(rec.level)] ?? 6)),
    field('SYSLOG_IDENTIFIER', 'evsed'),
  ];
  for (const [key, name] of Object.entries(FIELDS)) {
    if (rec[key] !== undefined && rec[key] !== null) parts.push(field(name, String(rec[key])));
  }
  const err = rec.err as { message?: string; stack?: string } | undefined;
  if (err?.message) parts.push(field('EVSED_ERROR', err.message));
  parts.push(field('EVSED_JSON', line.trimEnd()));
  return Buffer.concat(parts);
}

export interface LogDestination {
  write(line: string): boolean;
  /** The latest lines (newest last), for diagnostics bundles. */
  recent(): string[];
  readonly journal: boolean;
}

export interface LogDestinationOptions {
  /** Send to this journal socket instead of stdout. Default: the system journal when JOURNAL_STREAM says stdout goes to it. */
  journalSocket?: string | null;
  ringSize?: number;
  stdout?: { write(s: string): unknown };
}

export function createLogDestination(opts: LogDestinationOptions = {}): LogDestination {
  const size = opts.ringSize ?? 2000;
  const ring: string[] = [];
  const out = opts.stdout ?? process.stdout;
  const path =
    opts.journalSocket !== undefined
      ? opts.journalSocket
      : process.env.EVSED_JOURNAL_SOCKET ?? (process.env.JOURNAL_STREAM && existsSync(JOURNAL_SOCKET) ? JOURNAL_SOCKET : null);
  let socket: UnixDgramSocket | null = null;
  if (path) {
    try {
      socket = createUnixDgramSocket();
      socket.on('error', () => {
        // The journal went away: plain lines on stdout still reach it (or the terminal).
        socket = null;
      });
    } catch {
      socket = null;
    }
  }
  return {
    get journal() {
      return socket !== null;
    },
    write(line) {
      ring.push(line.trimEnd());
      if (ring.length > size) ring.splice(0, ring.length - size);
      if (socket && path) {
        const buf = journalEntry(line);
        socket.send(buf, 0, buf.length, path, (err) => {
          if (err) out.write(line);
        });
        return true;
      }
      out.write(line);
      return true;
    },
    recent: () => [...ring],
  };
}
