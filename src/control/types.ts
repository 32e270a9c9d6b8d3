/**
 * Result shapes of control commands, shared by the daemon (which builds them) and evsectl (which
 * prints them). These are a public contract for scripts using `evsectl --json`: add fields, do
 * not rename or remove them.
 */

export interface StatusConnector {
  id: number;
  evseId: number;
  connectorId: number;
  /** Session state of the connector statechart, e.g. `charging`, `preparing.evConnected`. */
  state: string;
  /** Status as reported to the CSMS in the negotiated (or first configured) protocol. */
  ocppStatus: string;
  errorCode: string | null;
  pilot: string;
  faults: string[];
  operative: boolean;
  limitA: number;
  offerA: number | null;
  contactorClosed: boolean;
  powerW: number;
  energyWh: number;
  socPercent: number | null;
  session: { token: string; transactionId: string | null } | null;
}

export interface StatusResult {
  version: string;
  identity: string;
  driver: string;
  station: { vendor: string; model: string; firmwareVersion: string; operative: boolean };
  csms: {
    url: string;
    connected: boolean;
    protocol: string | null;
    registration: string;
    heartbeatIntervalS: number;
    lastError: string | null;
  };
  clock: { now: string; offsetMs: number };
  queue: { depth: number };
  connectors: StatusConnector[];
  process: ProcessStats;
}

/** The daemon process: memory and event-loop responsiveness (delay since the last reset). */
export interface ProcessStats {
  pid: number;
  uptimeS: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Null unless monitoring was switched on (`process` command, monitor: true). */
  eventLoopDelayMs: { p50: number; p99: number; max: number; samples: number } | null;
}
