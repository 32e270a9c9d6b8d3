/**
 * The evsed configuration file, as the rest of the daemon sees it after loading: every optional
 * key filled with its default. The file format itself is `config.schema.json`; keep both in step.
 */
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
    serial: Record<string, unknown>;
    can: Record<string, unknown>;
  };
  evses: EvseConfig[];
  station: { vendor: string; model: string; serialNumber?: string; firmwareVersion: string };
  /** Initial values of OCPP configuration keys / variables; values set later by the CSMS win. */
  settings: Record<string, string | number | boolean>;
  log: { level: string; journal?: 'auto' | 'on' | 'off' };
}
