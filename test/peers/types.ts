// Public types of the test CSMS (test/peers/csms.ts): recorded messages, connections, options.
// Owns: data shapes only. Must not: import ocpp-rpc or hold behaviour.

import type { IncomingHttpHeaders } from 'node:http';

export const OCPP_PROTOCOLS = ['ocpp2.0.1', 'ocpp1.6'] as const;
export type OcppProtocol = (typeof OCPP_PROTOCOLS)[number];

export const DIRECTION = { csToCsms: 'cs→csms', csmsToCs: 'csms→cs' } as const;
export type Direction = (typeof DIRECTION)[keyof typeof DIRECTION];

/** 'INVALID' = a frame that is not a well-formed OCPP-J CALL / CALLRESULT / CALLERROR. */
export type MessageType = 'CALL' | 'CALLRESULT' | 'CALLERROR' | 'INVALID';

/** One WebSocket text frame, either direction, in the order it crossed the wire. */
export interface RecordedMessage {
  /** Index in TestCsms.messages. */
  seq: number;
  /** Wall-clock time in ms since the epoch (Date.now()) when the frame was sent or received. */
  at: number;
  identity: string;
  /** Index in TestCsms.connections. */
  connection: number;
  direction: Direction;
  type: MessageType;
  /** Message id; '' for INVALID frames whose id could not be read. */
  id: string;
  /** For CALLs the action; for CALLRESULT/CALLERROR the action of the CALL they answer ('' if unknown). */
  action: string;
  /** CALL/CALLRESULT payload, CALLERROR errorDetails, INVALID: the parsed JSON if any. */
  payload: any;
  protocol: OcppProtocol;
  errorCode?: string;
  errorDescription?: string;
  /** The exact text of the frame. */
  raw: string;
  /**
   * Set when ocpp-rpc's strict mode (OCA schemas) or its framing checks refused this message:
   * a CS CALL or CALLRESULT outside the schema, a malformed frame, or (direction csms→cs) the
   * InternalError CALLERROR sent because a test handler returned an invalid payload.
   */
  invalid?: string;
}

export interface ConnectionInfo {
  /** Index in TestCsms.connections. */
  index: number;
  identity: string;
  protocol: OcppProtocol;
  /** Subprotocols the CS offered, in its order. */
  offeredProtocols: string[];
  /** HTTP headers of the upgrade request (authorization, sec-websocket-protocol, …). */
  headers: IncomingHttpHeaders;
  /** Basic-auth password presented (utf8), when the username matched the identity. */
  password: string | undefined;
  /** Request path, e.g. '/CP%2F1'. */
  path: string;
  openedAt: number;
  closedAt?: number;
  /** WebSocket close code as seen by the CSMS (1006 = dropped without a close frame). */
  closeCode?: number;
  closeReason?: string;
}

/** Every WebSocket upgrade request, accepted or not. */
export interface UpgradeAttempt {
  at: number;
  identity: string;
  path: string;
  offeredProtocols: string[];
  headers: IncomingHttpHeaders;
  /** 101 when accepted, else the HTTP status the CSMS answered with. */
  httpStatus: number;
  /** Negotiated protocol; null when none was mutual (the socket is then closed at once). */
  protocol: OcppProtocol | null;
}

export interface CallOptions {
  /** Default: TestCsmsOptions.callTimeoutMs. */
  timeoutMs?: number;
}

/** One connected charging station as seen by the CSMS. */
export interface CsmsClientHandle {
  readonly identity: string;
  readonly protocol: OcppProtocol;
  readonly info: ConnectionInfo;
  readonly isOpen: boolean;
  /** CALL to the CS (validated in strict mode); rejects with a CsmsCallError. */
  call(action: string, payload: object, opts?: CallOptions): Promise<any>;
  /** Send any text as one frame. */
  sendRaw(text: string): void;
  /** Close from the server side; code 1006 drops the TCP connection without a close frame. */
  close(code?: number): Promise<void>;
}

/** Extra context a handler gets as its third argument. */
export interface HandlerContext {
  messageId: string;
  action: string;
  protocol: OcppProtocol;
  /** Aborts when the connection goes away. */
  signal: AbortSignal;
  /** The default (schema-valid) answer for this request. */
  fallback: () => unknown;
}

/**
 * Answers a CS→CSMS CALL. Return a payload (or a promise of one); return undefined to send the
 * default answer; throw rpcError(code, …) for a CALLERROR; return neverAnswer() to stay silent.
 */
export type CsmsHandler = (payload: any, client: CsmsClientHandle, ctx: HandlerContext) => unknown;

export type BootStatus = 'Accepted' | 'Pending' | 'Rejected';
export type BootConfig =
  | { status: BootStatus; interval: number }
  | ((payload: any, client: CsmsClientHandle) => unknown);

export interface TestCsmsOptions {
  /** Offered subprotocols in server preference order. Default ['ocpp2.0.1', 'ocpp1.6']. */
  protocols?: OcppProtocol[];
  /** Default 0 (ephemeral). */
  port?: number;
  /** identity → password. When set, every identity must present its password (else HTTP 401). */
  passwords?: Record<string, string>;
  /** idTag/idToken → authorization status. Unknown tokens are Accepted. */
  tokens?: Record<string, string>;
  /** Default { status: 'Accepted', interval: 300 }. */
  boot?: BootConfig;
  /** Per-action overrides of the default answers. */
  handlers?: Record<string, CsmsHandler>;
  /** true: print a trace line per message to stdout; a function receives each line. Default: env CSMS_TRACE=1. */
  log?: boolean | ((line: string) => void);
  /** Timeout of CALLs to the CS. Default 30000. */
  callTimeoutMs?: number;
  /** Default timeout of waitFor/waitForCall/waitForClient. Default 5000. */
  waitTimeoutMs?: number;
  /** WebSocket ping interval towards the CS; 0 = no pings (default). */
  pingIntervalMs?: number;
  /** First StartTransaction transactionId (1.6). Default: random in 1000..9999000. */
  firstTransactionId?: number;
}

export interface WaitOptions {
  /** Only consider messages with seq >= since. Default 0 (already recorded messages match too). */
  since?: number;
  timeoutMs?: number;
}
