#!/usr/bin/env -S node --max-semi-space-size=1 --no-opt
/**
 * evsed — composition root of the daemon. Nothing else constructs concrete implementations.
 *
 * Node flags (the shebang above; the systemd unit passes the same): a 1 MiB young generation and
 * no optimising compiler keep the resident set of this mostly idle, I/O-bound daemon small on a
 * board; the interpreter and the baseline compiler are fast enough for it (see README, figures).
 *
 * Start order: configuration (exit 2 on any problem, one line naming the key), logger, database,
 * hardware, statecharts, control socket, then the CSMS connection. Stop order is the reverse,
 * and leaves the hardware safe (contactors open, PWM off).
 */
import pino from 'pino';
import { createSimBoard, type SimBoard } from '../hal/sim/index.js';
import type { Board } from '../hal/types.js';
import { ConfigError, connectorInfos, loadConfig } from './config/load.js';
import type { Config } from './config/types.js';
import { buildControlHandlers } from './control/commands.js';
import { startControlServer, type ControlServer } from './control/server.js';
import { createClock } from './domain/clock.js';
import { StationRuntime } from './domain/station.js';
import { RpcClient } from './ocpp/rpc/index.js';
import { loadSchemas, type OcppProtocol } from './ocpp/schemas/index.js';
import { OcppSession } from './ocpp/session.js';
import { openDatabase, type Db } from './store/db.js';
import { createSettingsStore } from './store/settings.js';
import { EVSED_VERSION } from './version.js';

const USAGE = 'usage: evsed --config FILE\n       evsed --version';

function parseArgs(argv: string[]): { config: string } | 'version' | 'help' {
  if (argv.includes('--version')) return 'version';
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) throw new ConfigError('', 'missing --config FILE');
  const arg = argv[i]!;
  const file = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
  if (!file) throw new ConfigError('', '--config needs a file name');
  return { config: file };
}

/** Commissioning value of a setting: config file `settings`, else the default. */
function setting<T extends string | number | boolean>(config: Config, key: string, fallback: T): T {
  const v = config.settings[key];
  return (typeof v === typeof fallback ? v : fallback) as T;
}

function createBoard(config: Config): Board {
  switch (config.hardware.driver) {
    case 'sim':
      return createSimBoard({
        connectors: connectorInfos(config),
        timeScale: config.hardware.sim.timeScale,
        tickMs: config.hardware.sim.tickMs,
      });
    default:
      throw new ConfigError('hardware.driver', `driver "${config.hardware.driver}" is not available in this build`);
  }
}

async function run(configFile: string): Promise<void> {
  const config = loadConfig(configFile);
  const logger = pino({
    level: config.log.level,
    base: { identity: config.identity },
    redact: { paths: ['password', '*.password', 'csms.password'], censor: '[redacted]' },
  });
  logger.info({ version: EVSED_VERSION, config: configFile }, 'evsed starting');

  const db: Db = openDatabase(config.dataDir);
  const settings = createSettingsStore(db);
  const clock = createClock();
  const board = createBoard(config);
  await board.start();

  const runtime = new StationRuntime({
    board,
    logger,
    clock,
    settings,
    connectionTimeoutMs: setting(config, 'ConnectionTimeOut', 60) * 1000,
    heartbeatIntervalS: setting(config, 'HeartbeatInterval', 300),
    bootRetryS: 60,
  });
  runtime.start();

  const rpc = new RpcClient({
    url: config.csms.url,
    identity: config.identity,
    protocols: config.csms.protocols,
    securityProfile: config.csms.securityProfile === 1 ? 1 : 0,
    ...(config.csms.password ? { password: config.csms.password } : {}),
    schemasFor: (protocol) => loadSchemas(protocol as OcppProtocol),
    callTimeoutMs: setting(config, 'MessageTimeout', 30) * 1000,
    pingIntervalMs: setting(config, 'WebSocketPingInterval', 30) * 1000,
    backoff: {
      waitMinimumS: setting(config, 'RetryBackOffWaitMinimum', 3),
      randomRangeS: setting(config, 'RetryBackOffRandomRange', 10),
      repeatTimes: setting(config, 'RetryBackOffRepeatTimes', 3),
    },
    logger,
  });
  const session = new OcppSession({ rpc, runtime, clock, config, settings, logger });

  const sim = board.driver === 'sim' ? (board as SimBoard).controls : null;
  const control: ControlServer = await startControlServer(
    config.controlSocket,
    buildControlHandlers({ config, runtime, session, sim, queueDepth: () => 0 }),
    logger,
  );
  session.start();
  logger.info({ csms: config.csms.url, protocols: config.csms.protocols }, 'evsed running');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'evsed stopping');
    const force = setTimeout(() => {
      logger.error('graceful stop took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    // Hardware first: whatever else fails, the contactors are open.
    await board.stop().catch((err: Error) => logger.error({ err }, 'board stop failed'));
    await session.stop().catch((err: Error) => logger.error({ err }, 'CSMS disconnect failed'));
    runtime.stop();
    await control.close();
    db.close();
    logger.info('evsed stopped');
    logger.flush();
    process.exitCode = 0;
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`evsed: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (args === 'version') {
    process.stdout.write(`evsed ${EVSED_VERSION}\n`);
    return;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  try {
    await run(args.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`evsed: config error: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`evsed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}

void main();
