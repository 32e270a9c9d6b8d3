/**
 * The serial charger board: the `Board` of the `serial` driver.
 *
 * Owns: building the pieces from the configuration — one port owner per tty (a RAPI controller
 * per connector, one Modbus bus per RS-485 port shared by its meters, card readers), the
 * connectors — and their life: start() opens every port (rejecting with the HalError of the
 * first port, in configuration order, that cannot be opened: 'portUnavailable' or 'portLocked',
 * naming the path; everything opened is released again and the board counts as stopped),
 * synchronises every controller and reads every meter once; stop() leaves every controller
 * asleep (PWM off, relay open), stops polling and releases the ports; it rejects with
 * HalError 'timeout' when a controller did not acknowledge (after releasing everything).
 * Connector infos come from the station configuration; RAPI controllers have no lock and no
 * triggerable RCD test, so `hasLock: true` is refused and `hasRcdTest` is reported false.
 *
 * Must not: import statecharts/ or src/; decide anything about sessions.
 */
import { HalError } from '../errors.js';
import { realHalClock } from '../types.js';
import type { Board, ConnectorInfo, HalClock, HalListener } from '../types.js';
import { SerialConnector } from './connector.js';
import type { SerialConnectorDiagnostics } from './connector.js';
import { EventBus, type ListenerErrorHandler } from '../events.js';
import { ModbusBus } from './modbus/bus.js';
import { ModbusMeter } from './modbus/meter.js';
import { resolveSerialConfig } from './options.js';
import type { ResolvedReader, ResolvedSerialConfig, SerialHardwareConfig } from './options.js';
import { SerialPortOwner } from './port.js';
import type { PortCounters, SerialLineSettings } from './port.js';
import { RapiController } from './rapi/controller.js';
import { ControllerMeter } from './rapi/meter.js';
import { SerialCardReader } from './rfid.js';
import type { CardReaderCounters } from './rfid.js';

export interface SerialBoardOptions {
  /** The station's connectors (from `evses`), flat ids 1…n. */
  connectors: readonly ConnectorInfo[];
  /** `hardware.serial`, validated here (RangeError naming the key). */
  config: SerialHardwareConfig | ResolvedSerialConfig | unknown;
  /** Key used in validation messages. Default `hardware.serial`. */
  configKey?: string;
  clock?: HalClock;
  onListenerError?: ListenerErrorHandler;
}

export interface SerialBoardDiagnostics {
  ports: { path: string; status: string; detail: string; counters: PortCounters }[];
  connectors: SerialConnectorDiagnostics[];
  buses: { path: string; counters: ReturnType<ModbusBus['counters']> }[];
  readers: { path: string; connector: number; counters: CardReaderCounters }[];
}

export interface SerialBoard extends Board {
  readonly driver: 'serial';
  readonly connectors: readonly SerialConnector[];
  diagnostics(): SerialBoardDiagnostics;
}

/** How long the bus stays silent after a Modbus timeout before the next request, ms. */
const MODBUS_QUIET_AFTER_TIMEOUT_MS = 50;

function lineSettings(baudRate: number, parity: SerialLineSettings['parity'] = 'none', stopBits: 1 | 2 = 1): SerialLineSettings {
  return { baudRate, dataBits: 8, parity, stopBits };
}

export function createSerialBoard(options: SerialBoardOptions): SerialBoard {
  const key = options.configKey ?? 'hardware.serial';
  const config = resolveSerialConfig(options.config, key);
  const clock = options.clock ?? realHalClock;
  const bus = new EventBus(options.onListenerError);

  const ids = options.connectors.map((c) => c.id);
  for (const info of options.connectors) {
    if (!config.connectors.some((c) => c.connector === info.id)) {
      throw new RangeError(`${key}.connectors: no entry for connector ${info.id}`);
    }
    if (info.hasLock) throw new RangeError(`connector ${info.id}: hasLock is true, but a RAPI controller drives no lock`);
  }
  config.connectors.forEach((c, i) => {
    if (!ids.includes(c.connector)) throw new RangeError(`${key}.connectors[${i}].connector: no connector ${c.connector} in evses`);
  });

  const owners = new Map<string, SerialPortOwner>();
  const own = (path: string, settings: SerialLineSettings): SerialPortOwner => {
    const existing = owners.get(path);
    if (existing) return existing;
    const owner = new SerialPortOwner({
      path,
      ...settings,
      reopenInitialMs: config.reopenInitialMs,
      reopenMaxMs: config.reopenMaxMs,
      clock,
    });
    owners.set(path, owner);
    return owner;
  };

  const buses = new Map<string, ModbusBus>();
  const connectors = options.connectors.map((info) => {
    const c = config.connectors.find((entry) => entry.connector === info.id);
    if (!c) throw new RangeError(`${key}.connectors: no entry for connector ${info.id}`);
    const rapiPort = own(c.controller.port, lineSettings(c.controller.baudRate));
    const controller = new RapiController(rapiPort, {
      replyTimeoutMs: c.controller.replyTimeoutMs,
      retries: c.controller.retries,
      allowMissingChecksum: c.controller.allowMissingChecksum,
      pollIntervalMs: c.controller.pollIntervalMs,
      sequenceIds: c.controller.sequenceIds,
      clock,
    });
    let meterSource;
    if (c.meter) {
      const m = c.meter;
      let modbus = buses.get(m.port);
      if (!modbus) {
        const port = own(m.port, lineSettings(m.baudRate, m.parity, m.stopBits));
        modbus = new ModbusBus(port, { timeoutMs: m.timeoutMs, quietAfterTimeoutMs: MODBUS_QUIET_AFTER_TIMEOUT_MS, clock });
        buses.set(m.port, modbus);
      }
      meterSource = new ModbusMeter(modbus, { unitId: m.unitId, model: m.model, phases: info.phases, clock });
    } else {
      meterSource = new ControllerMeter(controller, clock);
    }
    return new SerialConnector({
      info: { ...info, hasLock: false, hasRcdTest: false },
      controller,
      meter: meterSource,
      meterKind: c.meter ? 'modbus' : 'controller',
      meterIntervalMs: c.meter ? c.meter.pollIntervalMs : c.controller.meterIntervalMs,
      meterRetries: c.meter ? c.meter.retries : 0,
      contactorFeedbackTimeoutMs: c.controller.contactorFeedbackTimeoutMs,
      reconcileMinIntervalMs: c.controller.pollIntervalMs,
      clock,
      emit: (event) => bus.emit(event),
    });
  });

  const readerSpecs: { reader: ResolvedReader; connector: number }[] = [
    ...config.connectors.flatMap((c) => (c.rfidReader ? [{ reader: c.rfidReader, connector: c.connector }] : [])),
    ...(config.rfidReader ? [{ reader: config.rfidReader, connector: 0 }] : []),
  ];
  const readers = readerSpecs.map(
    ({ reader, connector }) =>
      new SerialCardReader(own(reader.port, lineSettings(reader.baudRate)), {
        connector,
        repeatSuppressMs: reader.repeatSuppressMs,
        clock,
        onCard: (token, at) => bus.emit({ type: 'hal.rfid', connector: at, token }),
      }),
  );

  let starting: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  let stopped = false;

  const releaseAll = async (): Promise<void> => {
    for (const reader of readers) reader.close();
    for (const b of buses.values()) b.close();
    await Promise.all([...owners.values()].map((o) => o.release()));
  };

  const doStart = async (): Promise<void> => {
    const opened = await Promise.allSettled([...owners.values()].map((o) => o.open()));
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      stopped = true;
      await releaseAll();
      throw failed.reason instanceof HalError ? failed.reason : new HalError('portUnavailable', String(failed.reason));
    }
    await Promise.all([...buses.values()].map((b) => b.open()));
    await Promise.all(connectors.map((c) => c.start()));
  };

  const doStop = async (): Promise<void> => {
    stopped = true;
    await starting?.catch(() => undefined); // a failed start already released everything
    const failures = (await Promise.all(connectors.map((c) => c.stop()))).filter((f): f is string => f !== null);
    await releaseAll();
    if (failures.length > 0) throw new HalError('timeout', failures.join('; '));
  };

  return {
    driver: 'serial',
    connectors,
    start() {
      if (stopped) return Promise.reject(new HalError('stopped', 'the serial board has been stopped'));
      starting ??= doStart();
      return starting;
    },
    stop() {
      // The first call reports a controller that did not acknowledge; later calls resolve once stopped.
      if (stopping) return stopping.catch(() => undefined);
      stopping = doStop();
      return stopping;
    },
    on(listener: HalListener) {
      return bus.on(listener);
    },
    diagnostics() {
      return {
        ports: [...owners.values()].map((o) => ({ path: o.path, status: o.status(), detail: o.detail(), counters: o.counters() })),
        connectors: connectors.map((c) => c.diagnostics()),
        buses: [...buses.values()].map((b) => ({ path: b.path, counters: b.counters() })),
        readers: readers.map((r, i) => ({ path: r.path, connector: readerSpecs[i]?.connector ?? -1, counters: r.counters() })),
      };
    },
  };
}
