/**
 * OCPP-J transport: one connection and the client's event contract.
 *
 * Owns: `Link` (an open, validated connection as the call queues see it), the per-attempt record
 * kept while a connection is being set up, and the typed events RpcClient emits.
 * Must not: open or close sockets; client.ts does.
 */

import type { RawData, WebSocket } from 'ws';
import type { ConnectError } from './errors.js';
import type { FrameProblemReason } from './framing.js';
import type { InboundLink } from './inbound.js';
import type { OutboundLink } from './outbound.js';
import type { PayloadValidator } from './types.js';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closing' | 'closed';

export interface ProtocolErrorEvent {
  reason: FrameProblemReason | 'unknownMessageId' | 'lateAnswer';
  /** The readable message id, or "-1". */
  messageId: string;
  description: string;
  /** The CALLERROR sent in answer, or null when nothing was sent. */
  answer: string | null;
}

export interface RpcClientEvents {
  open: [{ protocol: string }];
  /** A usable connection ended. delayMs: wait before the next attempt, null when not reconnecting. */
  close: [{ code: number; reason: string; willReconnect: boolean; delayMs: number | null }];
  /** Every text frame sent or received; `at` in ms since the epoch. */
  frame: [{ direction: 'in' | 'out'; text: string; at: number }];
  protocolError: [ProtocolErrorEvent];
  /** A connection attempt failed before the link became usable. */
  connectFailed: [{ error: ConnectError; httpStatus?: number; delayMs: number | null }];
}

/** Frames received between the upgrade and the validator being ready; more are dropped. */
export const EARLY_FRAME_LIMIT = 64;

export class Link implements InboundLink, OutboundLink {
  pendingReplies = 0;
  alive = true;

  constructor(
    readonly ws: WebSocket,
    readonly protocol: string,
    readonly validator: PayloadValidator,
    private readonly write: (ws: WebSocket, text: string) => void,
  ) {}

  send(text: string): void {
    this.write(this.ws, text);
  }

  reply(text: string): boolean {
    if (!this.alive) return false;
    this.write(this.ws, text);
    return true;
  }

  canSendCall(): boolean {
    return this.alive && this.pendingReplies === 0;
  }
}

export interface Attempt {
  ws: WebSocket;
  /** Why the attempt failed, when known better than the socket error (HTTP status, subprotocol, schemas). */
  failure: ConnectError | null;
  lastError: Error | null;
  early: Array<{ data: RawData; isBinary: boolean }>;
}
