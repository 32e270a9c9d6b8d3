/**
 * `evsectl queue`, `transactions`, `trace` and `bundle`: what a technician or support needs to see
 * what evsed did.
 *
 * Owns: the result shapes and the diagnostics archive (version, configuration with secrets
 * redacted, database summary, recent logs, recent OCPP frames, status). Must not: change anything.
 */
import type { Config } from '../config/types.js';
import type { QueueStore } from '../store/queue.js';
import type { TransactionStore } from '../store/transactions.js';
import type { TraceFrame } from '../ocpp/session.js';
import { EVSED_VERSION } from '../version.js';
import type { ControlCommand } from './server.js';
import { tarGz } from './tar.js';

export interface DiagnosticsDeps {
  config: Config;
  queue: QueueStore;
  transactions: TransactionStore;
  trace(n: number): TraceFrame[];
  recentLogs(): string[];
  status(): unknown;
  /** `hw info`: the driver's devices and counters. */
  hardware(): unknown;
  now(): number;
}

const count = (v: unknown, fallback: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? Math.min(v, max) : fallback;

/** The configuration with passwords replaced. */
export function redactedConfig(config: Config): Config {
  return { ...config, csms: { ...config.csms, ...(config.csms.password ? { password: '[redacted]' } : {}) } };
}

export function diagnosticsCommands(deps: DiagnosticsDeps): Record<string, ControlCommand> {
  const queueSummary = (listN: number) => {
    const oldest = deps.queue.oldestCreatedAtMs();
    return {
      depth: deps.queue.depth(),
      oldestAgeS: oldest === null ? null : Math.round((deps.now() - oldest) / 1000),
      byKind: deps.queue.countsByKind(),
      messages: deps.queue.list(listN).map((m) => ({
        seq: m.seq,
        protocol: m.protocol,
        action: m.action,
        kind: m.kind,
        transaction: m.txId,
        attempts: m.attempts,
        createdAt: new Date(m.createdAtMs).toISOString(),
        offline: m.offline,
      })),
    };
  };
  const transactions = (limit: number) =>
    deps.transactions.recent(limit).map((t) => ({
      id: t.id,
      csmsId: t.csmsId,
      connector: t.connector,
      idTag: t.idTag,
      state: t.state,
      startedAt: new Date(t.startedAtMs).toISOString(),
      stoppedAt: t.stoppedAtMs === null ? null : new Date(t.stoppedAtMs).toISOString(),
      energyWh: Math.round(((t.meterStopWh ?? t.lastMeterWh) - t.meterStartWh) * 10) / 10,
      stopReason: t.stopReason,
    }));

  return {
    queue: { handler: (args) => queueSummary(count(args.list, 20, 1000)) },
    transactions: { handler: (args) => transactions(count(args.limit, 20, 1000)) },
    trace: { handler: (args) => deps.trace(count(args.count, 50, 500)) },
    bundle: {
      handler: () => {
        const now = deps.now();
        const name = `evsed-${deps.config.identity}-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
        const lines = (items: unknown[]) => items.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n') + '\n';
        const archive = tarGz(
          {
            [`${name}/version.txt`]: `evsed ${EVSED_VERSION}\nnode ${process.version}\n`,
            [`${name}/config.json`]: JSON.stringify(redactedConfig(deps.config), null, 2),
            [`${name}/status.json`]: JSON.stringify(deps.status(), null, 2),
            [`${name}/hardware.json`]: JSON.stringify(deps.hardware(), null, 2),
            [`${name}/database.json`]: JSON.stringify({ queue: queueSummary(100), transactions: transactions(100) }, null, 2),
            [`${name}/logs.jsonl`]: lines(deps.recentLogs()),
            [`${name}/frames.jsonl`]: lines(deps.trace(500)),
          },
          now,
        );
        return { name: `${name}.tar.gz`, bytes: archive.length, base64: archive.toString('base64') };
      },
    },
  };
}
