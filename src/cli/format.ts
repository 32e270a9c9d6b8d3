/**
 * Human output for evsectl: aligned tables, units, colours on a terminal.
 *
 * Owns: turning command results into text. Must not: talk to the daemon or decide exit codes.
 */
import type { StatusResult } from '../control/types.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
}

export function makeStyle(color: boolean): Style {
  const wrap = (code: number) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap(1), dim: wrap(2), green: wrap(32), yellow: wrap(33), red: wrap(31) };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (s: string) => s.replace(ANSI, '').length;

/** Render rows as columns separated by two spaces; the first row is the header. */
export function table(rows: string[][], style: Style): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows
    .map((row, r) => {
      const line = row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell))))
        .join('  ')
        .trimEnd();
      return r === 0 ? style.bold(line) : line;
    })
    .join('\n');
}

export function formatPower(w: number): string {
  return Math.abs(w) >= 1000 ? `${(w / 1000).toFixed(1)} kW` : `${Math.round(w)} W`;
}

export function formatEnergy(wh: number): string {
  return `${(wh / 1000).toFixed(3)} kWh`;
}

function colourStatus(status: string, style: Style): string {
  if (status === 'Faulted') return style.red(status);
  if (status === 'Unavailable') return style.yellow(status);
  if (status === 'Charging') return style.green(status);
  return status;
}

export function formatStatus(s: StatusResult, style: Style): string {
  const link = s.csms.connected
    ? style.green(`connected · ${s.csms.protocol ?? '?'} · registration ${s.csms.registration}`)
    : style.red(`not connected${s.csms.lastError ? ` (${s.csms.lastError})` : ''}`);
  const head = [
    `${style.bold('Station')}  ${s.identity}  ${s.station.vendor} ${s.station.model}  firmware ${s.station.firmwareVersion}  evsed ${s.version}  driver ${s.driver}${s.station.operative ? '' : style.yellow('  (inoperative)')}`,
    `${style.bold('CSMS')}     ${s.csms.url}  ${link}`,
    `${style.bold('Clock')}    ${s.clock.now}${s.clock.offsetMs ? `  (CSMS offset ${s.clock.offsetMs} ms)` : ''}`,
    `${style.bold('Queue')}    ${s.queue.depth} message${s.queue.depth === 1 ? '' : 's'} waiting`,
  ];
  const rows = [['CONN', 'EVSE', 'STATE', 'OCPP', 'PILOT', 'OFFER', 'POWER', 'ENERGY', 'SESSION']];
  for (const c of s.connectors) {
    const ocpp = colourStatus(c.ocppStatus, style) + (c.errorCode && c.errorCode !== 'NoError' ? ` (${c.errorCode})` : '');
    const session = c.session
      ? `${c.session.token}${c.session.transactionId ? ` tx ${c.session.transactionId}` : ''}`
      : '—';
    rows.push([
      String(c.id),
      `${c.evseId}/${c.connectorId}`,
      c.state + (c.faults.length ? ` [${c.faults.join(',')}]` : ''),
      ocpp,
      c.pilot,
      c.offerA === null ? '—' : `${c.offerA.toFixed(1)} A`,
      formatPower(c.powerW),
      formatEnergy(c.energyWh) + (c.socPercent === null ? '' : ` SoC ${Math.round(c.socPercent)}%`),
      session,
    ]);
  }
  return `${head.join('\n')}\n\n${table(rows, style)}`;
}
