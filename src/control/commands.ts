/**
 * The control commands evsed answers on its socket (what `evsectl` can ask).
 *
 * Owns: turning each command into calls on the runtime, the OCPP session and (for `sim.*`) the
 * simulated board's controls, and checking arguments with precise messages.
 * Must not: construct anything; src/main.ts passes the parts in.
 */
import type { SimControls } from '../../hal/sim/index.js';
import { HalError } from '../../hal/errors.js';
import { isFaultCode } from '../../hal/types.js';
import type { Config } from '../config/types.js';
import type { StationServices } from '../domain/services.js';
import type { OcppSession } from '../ocpp/session.js';
import { EVSED_VERSION } from '../version.js';
import { ControlError } from './protocol.js';
import type { ControlCommand, ControlHandler } from './server.js';
import type { ProcessStats, StatusResult } from './types.js';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop delay (how long a hardware event such as a pilot change can wait), sampled every
 * 2 ms — only while someone asked for it (`process` with monitor: true), since sampling wakes the
 * daemon 500 times a second.
 */
let loopDelay: IntervalHistogram | null = null;

export function processStats(opts: { reset?: boolean; monitor?: boolean } = {}): ProcessStats {
  if (opts.monitor === true && !loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 2 });
    loopDelay.enable();
  }
  if (opts.monitor === false && loopDelay) {
    loopDelay.disable();
    loopDelay = null;
  }
  const mem = process.memoryUsage();
  const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
  const stats: ProcessStats = {
    pid: process.pid,
    uptimeS: Math.round(process.uptime()),
    rssMiB: Math.round((mem.rss / 1048576) * 10) / 10,
    heapUsedMiB: Math.round((mem.heapUsed / 1048576) * 10) / 10,
    eventLoopDelayMs: loopDelay
      ? {
          p50: ms(loopDelay.percentile(50)),
          p99: ms(loopDelay.percentile(99)),
          max: ms(loopDelay.max),
          samples: loopDelay.count,
        }
      : null,
  };
  if (opts.reset) loopDelay?.reset();
  return stats;
}

export interface CommandDeps {
  config: Config;
  services: StationServices;
  session: OcppSession;
  /** Present only with hardware.driver = sim. */
  sim: SimControls | null;
  /** Depth of the offline queue (0 until the queue exists). */
  queueDepth(): number;
  /** Transaction id of the session running on a connector, if the protocol layer knows it. */
  transactionOf?(connector: number): string | null;
}

function intArg(args: Record<string, unknown>, name: string, min = 0): number {
  const v = args[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ControlError('badArgs', `${name} must be an integer ≥ ${min}`);
  }
  return v;
}

function stringArg(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v !== 'string' || v.length === 0) throw new ControlError('badArgs', `${name} must be a non-empty string`);
  return v;
}

export function buildStatus(deps: CommandDeps): StatusResult {
  const { config, session } = deps;
  const runtime = deps.services.runtime;
  const view = runtime.view();
  return {
    version: EVSED_VERSION,
    identity: config.identity,
    driver: config.hardware.driver,
    station: {
      vendor: config.station.vendor,
      model: config.station.model,
      firmwareVersion: config.station.firmwareVersion,
      operative: view.operative,
    },
    csms: {
      url: config.csms.url,
      connected: session.connected,
      protocol: session.protocol,
      registration: view.registration,
      heartbeatIntervalS: view.heartbeatIntervalS,
      lastError: session.error,
    },
    clock: { now: runtime.clock.isoNow(), offsetMs: runtime.clock.offsetMs() },
    queue: { depth: deps.queueDepth() },
    process: processStats(),
    connectors: view.connectors.map((c) => {
      const reported = session.statusOf(c);
      return {
        id: c.id,
        evseId: c.evseId,
        connectorId: c.connectorId,
        state: c.state,
        ocppStatus: reported.status,
        errorCode: reported.errorCode,
        pilot: c.pilot,
        faults: c.faults,
        operative: c.operative,
        limitA: c.limitA,
        offerA: c.offerA,
        contactorClosed: c.contactorClosed,
        powerW: c.meter.powerW,
        energyWh: c.meter.energyWh,
        socPercent: c.meter.socPercent ?? null,
        session: c.sessionToken
          ? { token: c.sessionToken, transactionId: deps.transactionOf?.(c.id) ?? null }
          : null,
      };
    }),
  };
}

/** Run a hardware-simulation control, mapping HAL errors to precise refusals. */
async function simulate(fn: () => Promise<unknown>): Promise<{ done: true }> {
  try {
    await fn();
    return { done: true };
  } catch (err) {
    if (err instanceof HalError) throw new ControlError('refused', err.message);
    if (err instanceof RangeError) throw new ControlError('badArgs', err.message);
    throw err;
  }
}

/** status, process and the simulated-hardware commands. */
export function coreCommands(deps: CommandDeps): Record<string, ControlCommand> {
  const sim = (): SimControls => {
    if (!deps.sim) {
      throw new ControlError('refused', `sim commands need hardware.driver "sim" (this station uses "${deps.config.hardware.driver}")`);
    }
    return deps.sim;
  };
  const connector = (args: Record<string, unknown>, allowBoard = false) => {
    const id = intArg(args, 'connector', allowBoard ? 0 : 1);
    if (id !== 0 && !deps.services.runtime.connector(id)) throw new ControlError('badArgs', `no connector ${id}`);
    return id;
  };
  const mutating = (handler: ControlHandler): ControlCommand => ({ handler, mutating: true });
  return {
    status: { handler: () => buildStatus(deps) },
    process: {
      handler: (args) =>
        processStats({
          reset: args.reset === true,
          ...(typeof args.monitor === 'boolean' ? { monitor: args.monitor } : {}),
        }),
    },
    'sim.plug': mutating((args) => simulate(() => sim().plug(connector(args)))),
    'sim.unplug': mutating((args) => simulate(() => sim().unplug(connector(args)))),
    'sim.swipe': mutating(async (args) => {
      sim();
      const token = stringArg(args, 'token');
      const at = args.connector === undefined ? 0 : connector(args);
      // Through the session service (not the board's reader event) so the caller learns the outcome.
      return deps.services.sessions.presentToken(token, at);
    }),
    'sim.ev': mutating((args) => {
      const id = connector(args);
      const action = args.action;
      if (action === 'pause') return simulate(() => sim().evPause(id));
      if (action === 'resume') return simulate(() => sim().evResume(id));
      if (action === 'full') return simulate(() => sim().evFull(id));
      throw new ControlError('badArgs', 'action must be pause, resume or full');
    }),
    'sim.fault': mutating((args) => {
      const id = connector(args, true);
      const code = args.code;
      if (!isFaultCode(code)) throw new ControlError('badArgs', `unknown fault code "${String(code)}"`);
      return simulate(() => sim().raiseFault(id, code));
    }),
    'sim.clear': mutating((args) => {
      const id = connector(args, true);
      const code = args.code;
      if (code !== undefined && !isFaultCode(code)) throw new ControlError('badArgs', `unknown fault code "${String(code)}"`);
      return simulate(() => sim().clearFault(id, code));
    }),
  };
}
