#!/usr/bin/env -S node --max-semi-space-size=1 --lite-mode --no-expose-wasm
/**
 * evsed — composition root of the daemon. Nothing else constructs concrete implementations.
 *
 * Node flags (the shebang above; the systemd unit passes the same): a 1 MiB young generation and
 * no optimising compiler keep the resident set of this mostly idle, I/O-bound daemon small on a
 * board; the interpreter and the baseline compiler are fast enough for it (see README, figures).
 *
 * Start order: configuration (exit 2 on any problem, one line naming the key), logger, database,
 * hardware, statecharts and domain services, control socket, then the CSMS connection. Stop
 * order is the reverse and leaves the hardware safe (contactors open, PWM off). A Reset from the
 * CSMS restarts the station in this process (the OS process stays; BootNotification is sent again).
 */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createSimBoard, initialEnergyFrom, persistSimState, readSimState, restoreEvs, type SimBoard } from '../hal/sim/index.js';
import type { CanDiagnostic } from '../hal/can/index.js';
import type { SerialHardwareConfig } from '../hal/serial/index.js';
import type { Board, HalEvent } from '../hal/types.js';
import { ConfigError, connectorInfos, driverConfigError, loadConfig } from './config/load.js';
import type { CanHardwareConfig, Config } from './config/types.js';
import { buildControlCommands } from './control/index.js';
import { describeHardware } from './control/hardware-info.js';
import { startControlServer } from './control/server.js';
import { AuthService } from './domain/auth.js';
import { createClock } from './domain/clock.js';
import { ReservationService } from './domain/reservations.js';
import type { StationServices } from './domain/services.js';
import { SessionService } from './domain/sessions.js';
import { Settings } from './domain/settings.js';
import { StationRuntime } from './domain/station.js';
import { TransactionManager } from './domain/transactions.js';
import { SmartChargingService } from './domain/smart-charging/index.js';
import { createChargingProfileStore } from './store/charging-profiles.js';
import type { RestartKind } from './ocpp/adapter.js';
import { RpcClient } from './ocpp/rpc/index.js';
import { loadSchemas, type OcppProtocol } from './ocpp/schemas/index.js';
import { OcppSession } from './ocpp/session.js';
import { DeviceModel } from './ocpp/v201/device-model/index.js';
import { createLogDestination, JOURNAL_SOCKET, type LogDestination } from './system/journal.js';
import { createNotifier, type Notifier } from './system/sd-notify.js';
import { createAuthStore } from './store/auth.js';
import { createDeviceModelStore } from './store/device-model.js';
import { openDatabase } from './store/db.js';
import { createQueueStore } from './store/queue.js';
import { createReservationStore } from './store/reservations.js';
import { createSettingsStore } from './store/settings.js';
import { createTransactionStore } from './store/transactions.js';
import { EVSED_VERSION } from './version.js';

const USAGE = 'usage: evsed --config FILE\n       evsed --version';

type Ending = { kind: 'signal'; signal: string } | { kind: 'restart'; restart: RestartKind; reason: string };

/** The hardware of the running station, for the last-resort handler. */
let currentBoard: Board | null = null;

interface RunningStation {
  board: Board;
  ended: Promise<Ending>;
  stop(ending: Ending): Promise<void>;
}

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

/** A port or interface that cannot be opened at start: one line on stderr, exit 1 (systemd retries). */
class HardwareStartError extends Error {}

/**
 * The board `hardware.driver` names, started. A driver's own refusal of its options is a
 * ConfigError naming the key (exit 2); a port or interface that cannot be opened is logged and
 * thrown naming it. Drivers are loaded when chosen (serialport and socketcan carry native addons).
 */
async function createBoard(config: Config, logger: Logger): Promise<{ board: Board; sim: SimBoard | null; stop(): void }> {
  const log = logger.child({ component: 'hardware', driver: config.hardware.driver });
  const onListenerError = (err: unknown, event: HalEvent) => log.error({ err, event }, 'hardware event listener failed');
  // Build (a RangeError from the driver is its refusal of an option) and start a real board.
  const realBoard = async (driver: 'serial' | 'can', construct: () => Board) => {
    let board: Board;
    try {
      board = construct();
    } catch (err) {
      throw driverConfigError(driver, err) ?? err;
    }
    try {
      await board.start();
    } catch (err) {
      log.fatal({ err }, 'cannot start the hardware');
      throw new HardwareStartError(`cannot start the ${driver} hardware: ${(err as Error).message}`, { cause: err });
    }
    return { board, sim: null, stop: () => undefined };
  };
  switch (config.hardware.driver) {
    case 'sim': {
      const stateFile = path.join(config.dataDir, 'sim-board.json');
      const saved = readSimState(stateFile);
      const sim = createSimBoard({
        connectors: connectorInfos(config),
        timeScale: config.hardware.sim.timeScale,
        tickMs: config.hardware.sim.tickMs,
        initialEnergyWh: initialEnergyFrom(saved),
      });
      await sim.start();
      await restoreEvs(sim, saved);
      const persistence = persistSimState(sim, stateFile);
      return { board: sim, sim, stop: () => persistence.stop() };
    }
    // loadConfig made sure the section of the driver in use is there.
    case 'serial': {
      const { createSerialBoard } = await import('../hal/serial/index.js');
      const section = config.hardware.serial as SerialHardwareConfig;
      return realBoard('serial', () => createSerialBoard({ connectors: connectorInfos(config), config: section, configKey: 'hardware.serial', onListenerError }));
    }
    case 'can': {
      const { createCanBoard } = await import('../hal/can/index.js');
      const section = config.hardware.can as CanHardwareConfig;
      const onDiagnostic = (diagnostic: CanDiagnostic) => log.warn({ diagnostic }, `CAN ${diagnostic.kind}: ${diagnostic.detail}`);
      return realBoard('can', () => createCanBoard({ ...section, connectors: connectorInfos(config), onDiagnostic, onListenerError }));
    }
    default:
      throw new ConfigError('hardware.driver', `driver "${String(config.hardware.driver)}" is not available in this build`);
  }
}

/** The basic-auth password: the one the CSMS set (2.0.1 BasicAuthPassword), else the configured one. */
function basicAuthPassword(config: Config, settings: Settings): string | undefined {
  const set = settings.has('BasicAuthPassword') ? String(settings.get('BasicAuthPassword')) : '';
  return set || config.csms.password;
}

async function startStation(config: Config, logger: Logger, logs: LogDestination, notify: Notifier): Promise<RunningStation> {
  const db = openDatabase(config.dataDir);
  const settingsStore = createSettingsStore(db);
  const stores = {
    settings: settingsStore,
    queue: createQueueStore(db),
    transactions: createTransactionStore(db),
    deviceModel: createDeviceModelStore(db),
  };
  let settings: Settings;
  try {
    settings = new Settings(settingsStore, config.settings, { NumberOfConnectors: connectorInfos(config).length });
  } catch (err) {
    db.close();
    throw new ConfigError('', (err as Error).message);
  }
  const clock = createClock();
  const hardware = await createBoard(config, logger);
  const board = hardware.board;

  const runtime = new StationRuntime({
    board,
    logger,
    clock,
    settings: settingsStore,
    connectionTimeoutMs: settings.int('ConnectionTimeOut') * 1000,
    heartbeatIntervalS: settings.int('HeartbeatInterval'),
    bootRetryS: 60,
  });
  runtime.start();
  const auth = new AuthService({ store: createAuthStore(db), settings, clock, log: logger.child({ component: 'auth' }) });
  const transactions = new TransactionManager({ runtime, store: stores.transactions, settings, clock, logger });
  const reservations = new ReservationService({
    store: createReservationStore(db),
    runtime,
    clock,
    logger,
    connectorZero: () => settings.bool('ReserveConnectorZeroSupported'),
  });
  const sessions = new SessionService({ runtime, auth, transactions, reservations, settings, logger });
  const smartCharging = new SmartChargingService({
    store: createChargingProfileStore(db),
    settings,
    clock,
    runtime,
    txStartOf: (connector) => transactions.active(connector)?.startedAtMs,
    txIdOf: (connector) => transactions.active(connector)?.id,
    logger,
  });
  const services: StationServices = { runtime, settings, clock, auth, transactions, sessions, reservations, smartCharging };
  const offSmartTx = transactions.subscribe({
    onStarted: (tx) => smartCharging.transactionStarted(tx.connector),
    onResumed: (tx) => smartCharging.transactionStarted(tx.connector),
    onStopped: (tx) => void smartCharging.transactionEnded(tx.connector, tx.id),
  });

  let endStation!: (e: Ending) => void;
  const ended = new Promise<Ending>((resolve) => (endStation = resolve));
  const rpc = new RpcClient({
    url: config.csms.url,
    identity: config.identity,
    protocols: config.csms.protocols,
    securityProfile: config.csms.securityProfile === 1 ? 1 : 0,
    ...(basicAuthPassword(config, settings) ? { password: basicAuthPassword(config, settings)! } : {}),
    ...(config.csms.ca ? { ca: config.csms.ca } : {}),
    schemasFor: (protocol) => loadSchemas(protocol as OcppProtocol),
    callTimeoutMs: settings.int('MessageTimeout') * 1000,
    pingIntervalMs: settings.int('WebSocketPingInterval') * 1000,
    backoff: {
      waitMinimumS: settings.int('RetryBackOffWaitMinimum'),
      randomRangeS: settings.int('RetryBackOffRandomRange'),
      repeatTimes: settings.int('RetryBackOffRepeatTimes'),
    },
    logger,
  });
  // The adapter is created here and subscribes to transaction facts before recovery runs, so a
  // transaction closed at start-up (power loss) is queued like any other.
  const session = new OcppSession({
    rpc,
    services,
    config,
    stores,
    logger,
    requestRestart: (restart, reason) => endStation({ kind: 'restart', restart, reason }),
  });
  sessions.start();
  reservations.start();
  transactions.start();
  smartCharging.start();
  const offCards = runtime.onCard((token, connector) => void sessions.presentToken(token, connector));

  const control = await startControlServer(
    config.controlSocket,
    buildControlCommands({
      config,
      services,
      session,
      sim: hardware.sim?.controls ?? null,
      stores,
      deviceModel: new DeviceModel({
        settings,
        runtime,
        config,
        clock,
        store: stores.deviceModel,
        localListEntries: () => auth.localListSize(),
        chargingProfileEntries: () => smartCharging.profiles().length,
      }),
      recentLogs: () => logs.recent(),
      hardware: () => describeHardware(board, 'interface' in config.hardware.can ? (config.hardware.can as CanHardwareConfig).interface : undefined),
      password: () => basicAuthPassword(config, settings),
      logger,
    }),
    logger,
  );
  session.start();
  logger.info({ csms: config.csms.url, protocols: config.csms.protocols }, 'evsed running');
  // systemd: what evsed is doing, in one line, whenever the registration state changes.
  let lastLine = '';
  const statusLine = () => {
    const v = runtime.view();
    const active = transactions.allActive().length;
    const line = `CSMS ${session.connected ? `${session.protocol}, registration ${v.registration}` : 'not connected'}; ${active} transaction${active === 1 ? '' : 's'} running; queue ${stores.queue.depth()}`;
    if (line !== lastLine) notify.status(line);
    lastLine = line;
  };
  const statusSub = runtime.station.subscribe(statusLine);
  const statusTimer = setInterval(statusLine, 10_000);
  statusTimer.unref();

  return {
    board,
    ended,
    async stop(ending) {
      const graceful = !(ending.kind === 'restart' && ending.restart === 'hard');
      statusSub.unsubscribe();
      clearInterval(statusTimer);
      // Hardware first: whatever else fails, the contactors are open.
      await board.stop().catch((err: Error) => logger.error({ err }, 'board stop failed'));
      hardware.stop();
      offCards();
      await session.stop({ graceful }).catch((err: Error) => logger.error({ err }, 'CSMS disconnect failed'));
      offSmartTx();
      smartCharging.stop();
      transactions.stop();
      reservations.stop();
      sessions.stop();
      runtime.stop();
      await control.close();
      db.close();
    },
  };
}

async function run(configFile: string): Promise<void> {
  const config = loadConfig(configFile);
  const journal = config.log.journal ?? 'auto';
  const logs = createLogDestination(journal === 'auto' ? {} : { journalSocket: journal === 'on' ? JOURNAL_SOCKET : null });
  const logger = pino(
    {
      level: config.log.level,
      base: { identity: config.identity },
      redact: { paths: ['password', '*.password', 'csms.password'], censor: '[redacted]' },
    },
    logs,
  );
  const notify = createNotifier(process.env, (err) => logger.warn({ err }, 'systemd notification failed'));
  logger.info({ version: EVSED_VERSION, config: configFile }, 'evsed starting');

  // Last resort. A rejected promise nobody awaited is a defect to log, not a reason to stop
  // charging; an exception that unwound the stack leaves state unknown: make the hardware safe
  // and exit (systemd restarts evsed; running transactions are resumed).
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; stopping');
    const safe = currentBoard?.stop().catch(() => undefined) ?? Promise.resolve();
    void safe.finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 2000).unref();
  });

  let signalled: ((e: Ending) => void) | null = null;
  const onSignal = (signal: string) => signalled?.({ kind: 'signal', signal });
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  for (;;) {
    notify.status('starting: opening the database and the hardware');
    const station = await startStation(config, logger, logs, notify);
    currentBoard = station.board;
    // Database open, hardware up, control socket listening: ready (the CSMS link follows).
    notify.ready('running; connecting to the CSMS');
    notify.startWatchdog();
    const signal = new Promise<Ending>((resolve) => (signalled = resolve));
    const ending = await Promise.race([station.ended, signal]);
    logger.info(ending, ending.kind === 'signal' ? 'evsed stopping' : 'evsed restarting');
    if (ending.kind === 'signal') notify.stopping('stopping: opening contactors, closing the CSMS connection and the database');
    else notify.status(`restarting (${ending.reason})`);
    const force = setTimeout(() => {
      logger.error('stop took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    await station.stop(ending);
    clearTimeout(force);
    if (ending.kind === 'signal') break;
  }
  logger.info('evsed stopped');
  notify.close();
  logger.flush();
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
    if (err instanceof HardwareStartError) {
      process.stderr.write(`evsed: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`evsed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}

void main();
