/**
 * Human output of evsectl's diagnostics commands: check steps, settings, queue, transactions,
 * frames, meter readings, self-test tables. Must not: decide exit codes.
 */
import { formatEnergy, formatPower, table, type Style } from './format.js';

const mark = (verdict: string, style: Style) =>
  verdict === 'pass' ? style.green('PASS') : verdict === 'fail' ? style.red('FAIL') : verdict === 'warn' ? style.yellow('WARN') : style.dim('skip');

export function renderCheck(r: { ok: boolean; url: string; steps: Array<{ step: string; verdict: string; detail: string; ms: number }> }, style: Style): string {
  const rows = [['STEP', 'RESULT', 'TIME', 'DETAIL']];
  for (const s of r.steps) rows.push([s.step, mark(s.verdict, style), `${s.ms} ms`, s.detail]);
  const firstFail = r.steps.find((s) => s.verdict === 'fail');
  const verdict = r.ok ? style.green('the CSMS connection works') : style.red(`problem at step "${firstFail?.step ?? '?'}": ${firstFail?.detail ?? ''}`);
  return `${style.bold('CSMS')} ${r.url}\n\n${table(rows, style)}\n\n${verdict}`;
}

export function renderConfigList(
  r: { settings: Array<{ key: string; value: string | null; readonly: boolean; variable: string | null; v201Only: boolean }> },
  style: Style,
): string {
  const rows = [['KEY', 'VALUE', 'ACCESS', '2.0.1 VARIABLE']];
  for (const s of r.settings) {
    rows.push([s.key + (s.v201Only ? style.dim(' (2.0.1)') : ''), s.value === null ? style.dim('(write-only)') : s.value, s.readonly ? 'RO' : 'RW', s.variable ?? '—']);
  }
  return table(rows, style);
}

export function renderConfigGet(r: Record<string, unknown>): string {
  return Object.entries(r)
    .map(([k, v]) => `${k.padEnd(12)} ${v === null || v === undefined ? '—' : String(v)}`)
    .join('\n');
}

export function renderQueue(
  r: {
    depth: number;
    oldestAgeS: number | null;
    byKind: Record<string, number>;
    messages: Array<{ seq: number; protocol: string; action: string; kind: string; transaction: string | null; attempts: number; createdAt: string; offline: boolean }>;
  },
  style: Style,
): string {
  const kinds = Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const head = `${style.bold('Queue')}  ${r.depth} message${r.depth === 1 ? '' : 's'}${r.oldestAgeS === null ? '' : `, oldest ${r.oldestAgeS} s old`} (${kinds})`;
  if (r.messages.length === 0) return head;
  const rows = [['SEQ', 'PROTOCOL', 'ACTION', 'KIND', 'ATTEMPTS', 'CREATED', 'TRANSACTION']];
  for (const m of r.messages) rows.push([String(m.seq), m.protocol, m.action, m.kind, String(m.attempts), m.createdAt, m.transaction ?? '—']);
  return `${head}\n\n${table(rows, style)}`;
}

export function renderTransactions(
  r: Array<{ id: string; csmsId: string | null; connector: number; idTag: string; state: string; startedAt: string; stoppedAt: string | null; energyWh: number; stopReason: string | null }>,
  style: Style,
): string {
  if (r.length === 0) return 'no transactions';
  const rows = [['STARTED', 'CONN', 'CARD', 'STATE', 'ENERGY', 'STOPPED', 'REASON', 'ID (CSMS)']];
  for (const t of r) {
    rows.push([t.startedAt, String(t.connector), t.idTag || '—', t.state, formatEnergy(t.energyWh), t.stoppedAt ?? '—', t.stopReason ?? '—', `${t.id.slice(0, 8)} (${t.csmsId ?? '—'})`]);
  }
  return table(rows, style);
}

export function renderTrace(r: Array<{ at: number; direction: string; protocol: string; text: string }>, style: Style): string {
  if (r.length === 0) return 'no frames yet';
  return r
    .map((f) => `${new Date(f.at).toISOString().slice(11, 23)}  ${f.direction === 'out' ? style.green('CS → CSMS') : style.yellow('CSMS → CS')}  ${f.text}`)
    .join('\n');
}

export function renderMeter(
  r: Array<{ connector: number; ok: boolean; error?: string; reading?: { energyWh: number; powerW: number; currentA: number[]; voltageV: number[]; socPercent?: number } }>,
  style: Style,
): string {
  const rows = [['CONN', 'ENERGY', 'POWER', 'CURRENT (A)', 'VOLTAGE (V)', 'SOC']];
  for (const m of r) {
    if (!m.ok || !m.reading) {
      rows.push([String(m.connector), style.red(`error: ${m.error ?? 'no reading'}`), '', '', '', '']);
      continue;
    }
    const x = m.reading;
    rows.push([
      String(m.connector),
      formatEnergy(x.energyWh),
      formatPower(x.powerW),
      x.currentA.map((a) => a.toFixed(2)).join(' / '),
      x.voltageV.map((v) => v.toFixed(1)).join(' / '),
      x.socPercent === undefined ? '—' : `${Math.round(x.socPercent)} %`,
    ]);
  }
  return table(rows, style);
}

export function renderSelftest(r: { connector: number; passed: boolean; steps: Array<{ step: string; result: string; detail: string }> }, style: Style): string {
  const rows = [['STEP', 'RESULT', 'DETAIL']];
  for (const s of r.steps) rows.push([s.step, mark(s.result, style), s.detail]);
  return `${style.bold(`Self-test of connector ${r.connector}`)}\n\n${table(rows, style)}\n\n${r.passed ? style.green('PASSED') : style.red('FAILED')}`;
}

const BAD_DEVICE_STATES = new Set(['lost', 'down', 'closed', 'failing', 'unknown']);

export function renderHardware(
  r: { driver: string; devices: Array<{ kind: string; name: string; state: string; detail: string; counters: Record<string, number> }> },
  style: Style,
): string {
  const rows = [['KIND', 'DEVICE', 'STATE', 'DETAIL', 'COUNTERS']];
  for (const d of r.devices) {
    const state = BAD_DEVICE_STATES.has(d.state) ? style.red(d.state) : d.state;
    const counters = Object.entries(d.counters).map(([k, v]) => `${k}=${v}`).join(' ');
    rows.push([d.kind, d.name, state, d.detail, counters || '—']);
  }
  return `${style.bold('driver')} ${r.driver}\n\n${table(rows, style)}`;
}
