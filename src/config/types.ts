/**
 * The evsed configuration file, as the rest of the daemon sees it after loading: every optional
 * key filled with its default (except inside the hardware driver sections, see `hardware`).
 * The file format itself is `config.schema.json`; keep both in step.
 */
import type { SerialHardwareConfig } from '../../hal/serial/index.js';
import type { CanConnectorMapping } from '../../hal/can/index.js';
import type { OcppProtocol } from '../ocpp/schemas/index.js';

export interface ConnectorConfig {
  /** Connector number within its EVSE. */
  id: number;
  type: string;
  maxCurrentA: number;
  phases: 1 | 3;
  nominalVoltageV: number;
  hasLock: boolean;
  hasRcdTest: boolean;
}

export interface EvseConfig {
  id: number;
  connectors: ConnectorConfig[];
}

/** A driver section the file does not have. */
export type NoSection = Record<string, never>;

/** `hardware.can` as the file has it (kcdPath made absolute); the driver fills the defaults
 * (hal/can CAN_DEFAULTS, listed in README.md "Hardware drivers"). */
export interface CanHardwareConfig {
  /** CAN network interface, e.g. `can0`. */
  interface: string;
  /** Node and channel of every connector; absent: all on node 1, channel = connector position. */
  mapping?: CanConnectorMapping[];
  heartbeatPeriodMs?: number;
  heartbeatTimeoutMs?: number;
  ackTimeoutMs?: number;
  actuatorTimeoutMs?: number;
  /** Absolute path of the frame database; absent: evsed-io.kcd shipped with the driver. */
  kcdPath?: string;
}

export interface Config {
  identity: string;
  csms: {
    url: string;
    protocols: OcppProtocol[];
    securityProfile: 0 | 1 | 2 | 3;
    password?: string;
    /** Extra CA certificates (PEM text, read from csms.caFile) trusted for wss://. */
    ca?: string;
    caFile?: string;
  };
  dataDir: string;
  controlSocket: string;
  hardware: {
    driver: 'sim' | 'serial' | 'can';
    sim: { timeScale: number; tickMs: number };
    /** Driver sections as the file has them (schema-checked; `{}` when absent). Their optional
     * keys stay absent: the drivers fill their own defaults and cross-check the rest when the
     * board is built (README.md "Hardware drivers"). */
    serial: SerialHardwareConfig | NoSection;
    can: CanHardwareConfig | NoSection;
  };
  evses: EvseConfig[];
  station: { vendor: string; model: string; serialNumber?: string; firmwareVersion: string };
  /** Initial values of OCPP configuration keys / variables; values set later by the CSMS win. */
  settings: Record<string, string | number | boolean>;
  log: { level: string; journal?: 'auto' | 'on' | 'off' };
}
