/**
 * OpenEVSE RAPI framing (firmware rapi_proc.h): encoding commands, parsing received lines.
 *
 * Owns: the wire format, both directions.
 *   command   `$cc p1 p2 …^xk\r`          xk: XOR of every character before '^', 2 hex digits
 *   legacy    `$cc p1 p2 …*ck\r`          ck: 8-bit sum of every character before '*'
 *   with seq  `$cc p1 p2 … :ss^xk\r`      ss: sequence id 01–FF (RAPI ≥ 3.0.0), echoed in the reply
 *   replies   `$OK p… [:ss]^xk` / `$NK p… [:ss]^xk`
 *   async     `$AT evse pilot amps vflags`, `$AB postcode fwrev`, `$AN type`, `$WF mode`, legacy `$ST evse`
 * A line may carry junk before its '$' (the firmware restarts a frame at every '$'): the text from
 * the last '$' is the frame and the junk is counted. Both checksum forms are accepted; a line
 * without checksum is refused unless the caller allows it (RAPI < 2.0.0 replies had none).
 *
 * Must not: know commands' meaning, keep state.
 */

export const RAPI_GARBLE_REASONS = ['noStart', 'badChecksum', 'missingChecksum', 'malformed'] as const;
export type RapiGarbleReason = (typeof RAPI_GARBLE_REASONS)[number];

export type RapiChecksumKind = 'xor' | 'additive' | 'none';

export interface RapiFrame {
  /** Two-character code: OK, NK, AT, AB, SC, GS, … */
  code: string;
  params: string[];
  /** Sequence id (1–255) when the frame carries one. */
  seqId: number | null;
  checksum: RapiChecksumKind;
}

export type RapiParse =
  | { ok: true; frame: RapiFrame; junkBytes: number }
  | { ok: false; reason: RapiGarbleReason; junkBytes: number };

/** Codes the controller sends on its own. `ST` counts only with one parameter (legacy state). */
export function isAsyncFrame(frame: RapiFrame): boolean {
  return frame.code.startsWith('A') || frame.code === 'WF' || (frame.code === 'ST' && frame.params.length === 1);
}

export function isReplyFrame(frame: RapiFrame): boolean {
  return frame.code === 'OK' || frame.code === 'NK';
}

export function xorChecksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum ^= text.charCodeAt(i) & 0xff;
  return sum;
}

export function additiveChecksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + (text.charCodeAt(i) & 0xff)) & 0xff;
  return sum;
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** `$code params… [:ss]^xk\r` — the frame a host sends (or, with code OK/NK/AT, a controller). */
export function encodeRapi(
  code: string,
  params: readonly (string | number)[] = [],
  seqId: number | null = null,
  checksum: Exclude<RapiChecksumKind, 'none'> = 'xor',
): string {
  if (!/^[A-Z0-9]{2}$/.test(code)) throw new RangeError(`RAPI code must be two characters A-Z/0-9, got ${code}`);
  if (seqId !== null && (!Number.isInteger(seqId) || seqId < 1 || seqId > 255)) {
    throw new RangeError(`RAPI sequence id must be 1–255, got ${seqId}`);
  }
  const tokens = [code, ...params.map(String)];
  for (const t of tokens) {
    if (t.length === 0 || /[\s$^*\r\n]/.test(t)) throw new RangeError(`RAPI parameter ${JSON.stringify(t)} is not a token`);
  }
  if (seqId !== null) tokens.push(`:${hex2(seqId)}`);
  const body = `$${tokens.join(' ')}`;
  return checksum === 'xor' ? `${body}^${hex2(xorChecksum(body))}\r` : `${body}*${hex2(additiveChecksum(body))}\r`;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Parse one received line (without its CR). */
export function parseRapiLine(line: string, allowMissingChecksum = false): RapiParse {
  const start = line.lastIndexOf('$');
  if (start < 0) return { ok: false, reason: 'noStart', junkBytes: line.length };
  const junkBytes = start;
  const text = line.slice(start).replace(/[\x00 ]+$/, '');
  let body = text;
  let checksum: RapiChecksumKind = 'none';
  const mark = /[\^*]([0-9A-Fa-f]{2})$/.exec(text);
  if (mark) {
    body = text.slice(0, mark.index);
    const expected = parseInt(mark[1] ?? '', 16);
    checksum = text[mark.index] === '^' ? 'xor' : 'additive';
    const actual = checksum === 'xor' ? xorChecksum(body) : additiveChecksum(body);
    if (actual !== expected) return { ok: false, reason: 'badChecksum', junkBytes };
  } else if (/[\^*]/.test(text)) {
    return { ok: false, reason: 'malformed', junkBytes };
  } else if (!allowMissingChecksum) {
    return { ok: false, reason: 'missingChecksum', junkBytes };
  }
  if (!PRINTABLE.test(body)) return { ok: false, reason: 'malformed', junkBytes };
  const tokens = body.slice(1).trim().split(/ +/);
  const code = tokens.shift() ?? '';
  if (!/^[A-Z0-9]{2}$/.test(code)) return { ok: false, reason: 'malformed', junkBytes };
  let seqId: number | null = null;
  const last = tokens[tokens.length - 1];
  if (last !== undefined && last.startsWith(':')) {
    if (!/^:[0-9A-Fa-f]{2}$/.test(last)) return { ok: false, reason: 'malformed', junkBytes };
    seqId = parseInt(last.slice(1), 16);
    if (seqId === 0) return { ok: false, reason: 'malformed', junkBytes };
    tokens.pop();
  }
  return { ok: true, frame: { code, params: tokens, seqId, checksum }, junkBytes };
}

/** Parse a hex byte parameter (`01`, `fe`); null when absent or not hex. */
export function hexParam(value: string | undefined): number | null {
  if (value === undefined || !/^[0-9A-Fa-f]{1,4}$/.test(value)) return null;
  return parseInt(value, 16);
}

/** Parse a decimal integer parameter (may be negative); null when absent or not a number. */
export function decParam(value: string | undefined): number | null {
  if (value === undefined || !/^-?\d{1,12}$/.test(value)) return null;
  return Number(value);
}

/** Compare dotted versions (`5.1.0` vs `3.0.0`): negative, 0 or positive. Non-numbers count 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
