// One charging-station connection inside the test CSMS: wraps ocpp-rpc's RPCServerClient,
// records its frames, maps call failures to CsmsCallError, closes gracefully or abruptly.
// Owns: per-connection recording hooks and the CsmsClientHandle implementation.
// Must not: decide answers to CS CALLs (csms.ts registers the handlers).

import type { Socket } from 'node:net';
import { ConnectionRecorder, type Recorder } from './recorder.js';
import { isRpcError, TimeoutError, type RpcServerClient } from './rpc-types.js';
import type { CallOptions, ConnectionInfo, CsmsClientHandle, OcppProtocol } from './types.js';

export const CALL_FAILURE = {
  /** The CS answered with a CALLERROR (errorCode etc. are exactly what it sent). */
  callError: 'CALLERROR',
  /** The CS answered with a CALLRESULT outside the OCA schema (strict mode refused it). */
  invalidResult: 'INVALID_RESULT',
  /** The CSMS payload itself is outside the schema; nothing was sent. */
  invalidRequest: 'INVALID_REQUEST',
  timeout: 'TIMEOUT',
  /** No connection, or it closed before an answer. */
  closed: 'CLOSED',
} as const;
export type CallFailure = (typeof CALL_FAILURE)[keyof typeof CALL_FAILURE];

/** Why TestCsms.call() / CsmsClientHandle.call() rejected. */
export class CsmsCallError extends Error {
  override readonly name = 'CsmsCallError';
  readonly messageId: string | undefined;
  readonly errorCode: string | undefined;
  readonly errorDescription: string | undefined;
  readonly errorDetails: unknown;
  /** INVALID_RESULT: the CALLRESULT payload the CS sent. */
  readonly result: unknown;

  constructor(
    readonly kind: CallFailure,
    readonly action: string,
    message: string,
    extra: { messageId?: string; errorCode?: string; errorDescription?: string; errorDetails?: unknown; result?: unknown } = {},
  ) {
    super(`${action}: ${message}`);
    this.messageId = extra.messageId;
    this.errorCode = extra.errorCode;
    this.errorDescription = extra.errorDescription;
    this.errorDetails = extra.errorDetails;
    this.result = extra.result;
  }
}

const CLOSE_GRACE_MS = 1000;
const ABNORMAL_CLOSURE = 1006;

export class CsmsConnection implements CsmsClientHandle {
  readonly recorder: ConnectionRecorder;
  /** Resolves once the socket is closed and info.closedAt/closeCode are set. */
  readonly closed: Promise<void>;
  /** Errors rejected by rpc.call(), mapped to the id of the CALL they belong to. */
  private readonly callIds = new WeakMap<object, string>();

  constructor(
    readonly rpc: RpcServerClient,
    readonly info: ConnectionInfo,
    recorder: Recorder,
    private readonly callTimeoutMs: number,
  ) {
    this.recorder = new ConnectionRecorder(recorder, info);
    rpc.on('message', ({ message, outbound }) => {
      const raw = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
      this.recorder.frame(outbound ? 'csms→cs' : 'cs→csms', raw);
    });
    rpc.on('strictValidationFailure', (e) => {
      const reason = `${e.error.rpcErrorCode ?? 'schema'}: ${e.error.message}`;
      if (!e.outbound) {
        this.recorder.markInbound(e.messageId, e.isCall ? 'CALL' : 'CALLRESULT', reason);
      } else if (!e.isCall) {
        recorder.event(`test handler for ${e.method} returned a payload outside the schema (${reason}); sent InternalError`);
        this.recorder.noteOutbound(e.messageId, `handler answer refused by strict mode: ${reason}`);
      }
    });
    rpc.on('badMessage', (e) => this.recorder.markLastInbound(`bad frame: ${e.error.message}`));
    rpc.on('callError', (e) => {
      if (e.outbound && e.error && typeof e.error === 'object') this.callIds.set(e.error, e.messageId);
    });
    this.closed = new Promise<void>((resolve) => {
      rpc.once('disconnect', (e: { code: number; reason: string }) => {
        info.closedAt = Date.now();
        info.closeCode = e.code;
        info.closeReason = e.reason;
        resolve();
      });
    });
  }

  get identity(): string {
    return this.info.identity;
  }

  get protocol(): OcppProtocol {
    return this.info.protocol;
  }

  get isOpen(): boolean {
    return this.info.closedAt === undefined && this.rpc.state === 1;
  }

  private get socket(): Socket {
    return this.rpc.handshake.request.socket;
  }

  async call(action: string, payload: object, opts: CallOptions = {}): Promise<any> {
    try {
      return await this.rpc.call(action, payload, { callTimeoutMs: opts.timeoutMs ?? this.callTimeoutMs });
    } catch (error) {
      throw this.toCallError(action, error);
    }
  }

  sendRaw(text: string): void {
    this.rpc.sendRaw(text);
  }

  /** Closes with a close frame (default 1000); 1006 drops the TCP connection without one. */
  async close(code = 1000): Promise<void> {
    if (this.info.closedAt !== undefined) return;
    if (code === ABNORMAL_CLOSURE) {
      this.socket.destroy();
    } else {
      this.rpc.close({ code }).catch(() => undefined);
      // A peer that never answers the close frame is dropped after a grace period.
      const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
      await this.closed;
      clearTimeout(timer);
    }
    await this.closed;
  }

  private toCallError(action: string, error: unknown): CsmsCallError {
    const text = error instanceof Error ? error.message : String(error);
    const messageId = error && typeof error === 'object' ? this.callIds.get(error) : undefined;
    const reply = messageId !== undefined ? this.recorder.replyTo(messageId) : undefined;
    if (messageId !== undefined && reply?.type === 'CALLERROR') {
      return new CsmsCallError(CALL_FAILURE.callError, action,
        `CS answered CALLERROR ${reply.errorCode ?? ''} ${JSON.stringify(reply.errorDescription ?? '')}`, {
          messageId,
          errorCode: reply.errorCode ?? '',
          errorDescription: reply.errorDescription ?? '',
          errorDetails: reply.payload,
        });
    }
    if (messageId !== undefined && reply?.type === 'CALLRESULT') {
      return new CsmsCallError(CALL_FAILURE.invalidResult, action,
        `CS answered with a CALLRESULT outside the schema: ${text}`, {
          messageId,
          errorCode: isRpcError(error) ? error.rpcErrorCode : undefined,
          result: reply.payload,
        });
    }
    if (error instanceof TimeoutError) {
      return new CsmsCallError(CALL_FAILURE.timeout, action, `no answer within the call timeout`, { messageId });
    }
    if (messageId === undefined && isRpcError(error)) {
      return new CsmsCallError(CALL_FAILURE.invalidRequest, action,
        `the CSMS payload is outside the schema, not sent: ${text}`, { errorCode: error.rpcErrorCode });
    }
    return new CsmsCallError(CALL_FAILURE.closed, action, `connection closed: ${text}`, { messageId });
  }
}
