/**
 * `evsectl hw …`: the technician's hands on the hardware — read the meter now, the self-test, and
 * direct contactor and lock commands for bring-up.
 *
 * Owns: the safety rules of these commands: the self-test runs only on an idle connector (no EV,
 * no session) and keeps sessions away while it runs (the connector is reported unavailable);
 * direct contactor/lock commands are refused while a transaction runs unless forced; after a
 * self-test the contactor is left open. Every command is logged with `by: 'technician'`.
 * Must not: run while the statechart believes something else about the outputs for longer than
 * the command (the self-test restores the statechart's view; direct commands are for bring-up).
 */
import type { Logger } from 'pino';
import type { ConnectorRuntime } from '../domain/connector.js';
import type { StationServices } from '../domain/services.js';
import { HalError } from '../../hal/errors.js';
import { ControlError } from './protocol.js';
import type { ControlCommand } from './server.js';

export interface SelftestStep {
  step: 'pilot' | 'contactorClose' | 'contactorOpen' | 'lock' | 'unlock' | 'rcd';
  result: 'pass' | 'fail' | 'skipped';
  detail: string;
}

export interface SelftestResult {
  connector: number;
  passed: boolean;
  steps: SelftestStep[];
}

const withDeadline = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref())]);

export function hardwareCommands(services: StationServices, logger: Logger): Record<string, ControlCommand> {
  const log = logger.child({ component: 'hardware', by: 'technician' });
  const { runtime, transactions } = services;
  const under = new Set<number>();

  const connectorArg = (args: Record<string, unknown>): ConnectorRuntime => {
    const id = args.connector;
    if (typeof id !== 'number' || !Number.isInteger(id)) throw new ControlError('badArgs', 'connector must be a connector number');
    const c = runtime.connector(id);
    if (!c) throw new ControlError('badArgs', `no connector ${id}`);
    return c;
  };
  const busy = (c: ConnectorRuntime) => transactions.active(c.info.id) !== undefined || c.view().authorized;

  const selftest = async (c: ConnectorRuntime): Promise<SelftestResult> => {
    const steps: SelftestStep[] = [];
    const hw = c.hardware;
    const step = async (name: SelftestStep['step'], run: () => Promise<string>) => {
      try {
        steps.push({ step: name, result: 'pass', detail: await run() });
      } catch (err) {
        steps.push({ step: name, result: 'fail', detail: err instanceof Error ? err.message : String(err) });
      }
    };
    await step('pilot', async () => {
      const p = hw.pilot();
      if (p !== 'A') throw new Error(`pilot state ${p}, expected A (no vehicle)`);
      return 'state A (no vehicle), pilot readable';
    });
    await step('contactorClose', async () => {
      await withDeadline(hw.setContactor(true), 3000, 'close');
      const s = hw.contactor();
      if (s.feedback === false) throw new Error('feedback says open');
      return s.feedback === null ? 'closed (no feedback contact)' : 'closed, feedback confirms';
    });
    await step('contactorOpen', async () => {
      await withDeadline(hw.setContactor(false), 3000, 'open');
      const s = hw.contactor();
      if (s.feedback === true) throw new Error('feedback says still closed (welded?)');
      return s.feedback === null ? 'opened (no feedback contact)' : 'opened, feedback confirms';
    });
    if (c.info.hasLock) {
      await step('lock', async () => {
        const r = await withDeadline(hw.setLock(true), 3000, 'lock');
        if (r !== 'locked') throw new Error(`lock answered ${r}`);
        return 'locked';
      });
      await step('unlock', async () => {
        const r = await withDeadline(hw.setLock(false), 3000, 'unlock');
        if (r !== 'unlocked') throw new Error(`lock answered ${r}`);
        return 'unlocked';
      });
    } else {
      steps.push({ step: 'lock', result: 'skipped', detail: 'no lock on this connector' });
    }
    if (c.info.hasRcdTest) {
      await step('rcd', async () => {
        const tripped = await withDeadline(hw.testRcd(), 5000, 'RCD test');
        if (!tripped) throw new Error('RCD did not trip when tested');
        return 'tripped as it should';
      });
    } else {
      steps.push({ step: 'rcd', result: 'skipped', detail: 'no RCD test on this hardware' });
    }
    // Whatever happened, leave the contactor open.
    await hw.setContactor(false).catch(() => undefined);
    return { connector: c.info.id, passed: steps.every((s) => s.result !== 'fail'), steps };
  };

  return {
    'hw.meter': {
      handler: async (args) => {
        const list = args.connector === undefined ? runtime.connectors : [connectorArg(args)];
        const out = [];
        for (const c of list) {
          try {
            out.push({ connector: c.info.id, ok: true, reading: await withDeadline(c.hardware.readMeter(), 5000, 'meter') });
          } catch (err) {
            out.push({ connector: c.info.id, ok: false, error: (err as Error).message });
          }
        }
        return out;
      },
    },
    'hw.selftest': {
      mutating: true,
      handler: async (args) => {
        const c = connectorArg(args);
        const view = c.view();
        if (busy(c) || view.pilot !== 'A' || !['available', 'unavailable', 'faulted'].includes(view.state)) {
          throw new ControlError('refused', `connector ${c.info.id} is not idle (${view.state}, pilot ${view.pilot}): unplug the vehicle first`);
        }
        if (under.has(c.info.id)) throw new ControlError('refused', `a self-test of connector ${c.info.id} is already running`);
        under.add(c.info.id);
        log.warn({ connector: c.info.id }, 'self-test started');
        // Keep sessions away: the connector is unavailable for the duration (not persisted).
        c.send({ type: 'cmd.setOperative', operative: false });
        try {
          const result = await selftest(c);
          log.warn({ connector: c.info.id, passed: result.passed, steps: result.steps }, 'self-test finished');
          return result;
        } finally {
          under.delete(c.info.id);
          const operative = view.operative;
          c.send({ type: 'cmd.setOperative', operative });
        }
      },
    },
    'hw.contactor': {
      mutating: true,
      handler: async (args) => {
        const c = connectorArg(args);
        const close = args.action === 'close';
        if (args.action !== 'open' && args.action !== 'close') throw new ControlError('badArgs', 'action must be open or close');
        if (busy(c) && args.force !== true) {
          throw new ControlError('refused', `connector ${c.info.id} has a running session; add --force to override`);
        }
        log.warn({ connector: c.info.id, close, forced: args.force === true }, 'direct contactor command');
        try {
          await withDeadline(c.hardware.setContactor(close), 3000, 'contactor');
        } catch (err) {
          if (err instanceof HalError) throw new ControlError('refused', err.message);
          throw err;
        }
        return { connector: c.info.id, contactor: c.hardware.contactor() };
      },
    },
    'hw.lock': {
      mutating: true,
      handler: async (args) => {
        const c = connectorArg(args);
        if (args.action !== 'lock' && args.action !== 'unlock') throw new ControlError('badArgs', 'action must be lock or unlock');
        if (!c.info.hasLock) throw new ControlError('refused', `connector ${c.info.id} has no lock`);
        if (busy(c) && args.action === 'unlock' && args.force !== true) {
          throw new ControlError('refused', `connector ${c.info.id} has a running session; add --force to override`);
        }
        log.warn({ connector: c.info.id, action: args.action, forced: args.force === true }, 'direct lock command');
        const r = await withDeadline(c.hardware.setLock(args.action === 'lock'), 3000, 'lock');
        if (r === 'failed') throw new ControlError('refused', `the lock did not confirm ${args.action}`);
        return { connector: c.info.id, locked: r === 'locked' };
      },
    },
  };
}

/**
 * `evsectl limit set N AMPS` / `limit clear N`: the local limit of an on-site energy manager
 * (grid connection, solar surplus), combined with the CSMS's profiles as one more constraint and
 * reported to the CSMS where the protocol has a way (2.0.1: NotifyChargingLimit, source EMS).
 */
export function limitCommands(services: StationServices, report: (connector: number, amps: number | null) => void, logger: Logger): Record<string, ControlCommand> {
  const log = logger.child({ component: 'smart-charging', by: 'technician' });
  const connector = (args: Record<string, unknown>) => {
    const id = args.connector;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new ControlError('badArgs', 'connector must be a connector number (0 = whole station)');
    if (id !== 0 && !services.runtime.connector(id)) throw new ControlError('badArgs', `no connector ${id}`);
    return id;
  };
  return {
    'limit.set': {
      mutating: true,
      handler: (args) => {
        const id = connector(args);
        const amps = args.amps;
        if (typeof amps !== 'number' || !Number.isFinite(amps) || amps < 0 || amps > 1000) throw new ControlError('badArgs', 'amps must be a number from 0 to 1000');
        services.smartCharging.setLocalLimit(id, amps);
        report(id, amps);
        log.info({ connector: id, amps }, 'local limit set');
        return { connector: id, limitA: amps, appliedA: id === 0 ? null : (services.smartCharging.appliedLimit(id) ?? null) };
      },
    },
    'limit.clear': {
      mutating: true,
      handler: (args) => {
        const id = connector(args);
        services.smartCharging.setLocalLimit(id, null);
        report(id, null);
        log.info({ connector: id }, 'local limit cleared');
        return { connector: id, limitA: null, appliedA: id === 0 ? null : (services.smartCharging.appliedLimit(id) ?? null) };
      },
    },
  };
}
