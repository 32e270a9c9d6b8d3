/**
 * OCPP-J transport: received CALLs.
 *
 * Owns: the handler table, the incoming gate, and answering every well-formed received CALL with
 * exactly one CALLRESULT or CALLERROR (R-J7, R-J9) — or, when the gate says 'ignore', with none.
 * Must not: close the connection over bad input (R-J11), send an invalid payload, or know what
 * any action means.
 *
 * Order of checks: gate → action known for the protocol (else `NotImplemented`) → handler
 * registered (else `NotSupported`) → request valid (else the validator's code and message, the
 * JSON path in details) → handler. Handler outcomes: a result that is a valid response payload →
 * CALLRESULT; a thrown RpcError → that CALLERROR; anything else thrown, a result that is not a
 * valid response, or no result within handlerTimeoutMs → `InternalError` (logged; the CSMS never
 * sees internal messages or an invalid payload).
 */

import type { Logger } from 'pino';
import { RpcError } from './errors.js';
import { isJsonObject, serializeCallError, serializeCallResult } from './framing.js';
import type { CallFrame, JsonObject, PayloadIssue, PayloadValidator, RpcErrorCode } from './types.js';

export interface HandlerContext {
  messageId: string;
  protocol: string;
}

/** The payload type is decided by the OCPP layer that registers the handler (it was validated). */
export type CallHandler = (payload: any, ctx: HandlerContext) => unknown | Promise<unknown>;

/** Lets the OCPP layer refuse received CALLs: an RpcError is sent, 'ignore' sends nothing, null lets it through. */
export type IncomingGate = (action: string) => RpcError | 'ignore' | null;

/** What answering needs from the connection the CALL arrived on. */
export interface InboundLink {
  readonly protocol: string;
  readonly validator: PayloadValidator;
  /** Received CALLs still being handled; own CALLs wait while this is > 0. */
  pendingReplies: number;
  /** Sends a reply if this connection is still open; false when it is gone. */
  reply(text: string): boolean;
}

const TEXT = {
  notImplemented: 'requested action is not known by the receiver',
  notSupported: 'requested action is recognised but not supported by the receiver',
  internal: 'internal error while processing the request',
  timeout: 'the request could not be processed in time',
} as const;

const HANDLER_TIMEOUT = Symbol('handlerTimeout');

export class InboundCalls {
  private readonly handlers = new Map<string, CallHandler>();
  private gate: IncomingGate | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly handlerTimeoutMs: () => number,
    /** Called after a reply was sent (or dropped) so waiting own CALLs can go. */
    private readonly onReplied: () => void,
  ) {}

  handle(action: string, handler: CallHandler): void {
    this.handlers.set(action, handler);
  }

  removeHandler(action: string): void {
    this.handlers.delete(action);
  }

  setGate(gate: IncomingGate | null): void {
    this.gate = gate;
  }

  /** Answers one received CALL. Never rejects. */
  async receive(link: InboundLink, frame: CallFrame): Promise<void> {
    link.pendingReplies += 1;
    try {
      const answer = await this.answer(link, frame);
      if (answer === null) return;
      if (!link.reply(answer)) {
        this.logger.warn({ action: frame.action, messageId: frame.messageId }, 'reply dropped: connection lost');
      }
    } finally {
      link.pendingReplies -= 1;
      this.onReplied();
    }
  }

  /** The frame to send in answer, or null for none. */
  private async answer(link: InboundLink, frame: CallFrame): Promise<string | null> {
    const { messageId, action, payload } = frame;
    const { protocol, validator } = link;
    const error = (code: RpcErrorCode, description: string, details: JsonObject = {}): string =>
      serializeCallError(messageId, code, description, details, protocol);
    const log = this.logger.child({ action, messageId });

    let gated: RpcError | 'ignore' | null;
    try {
      gated = this.gate === null ? null : this.gate(action);
    } catch (err) {
      log.error({ err }, 'incoming gate threw');
      return error('InternalError', TEXT.internal);
    }
    if (gated === 'ignore') {
      log.info('received CALL ignored by the incoming gate');
      return null;
    }
    if (gated !== null) return error(gated.code, gated.description, gated.details);

    if (!validator.csmsToCs.has(action)) return error('NotImplemented', TEXT.notImplemented);
    const handler = this.handlers.get(action);
    if (handler === undefined) return error('NotSupported', TEXT.notSupported);

    const requestIssue = this.check(log, validator, action, 'request', payload);
    if (requestIssue !== null) {
      log.warn({ issue: requestIssue }, 'received CALL payload is invalid');
      return error(requestIssue.code, requestIssue.message, requestIssue.path ? { path: requestIssue.path } : {});
    }

    let result: unknown;
    try {
      result = await this.runHandler(handler, payload, { messageId, protocol });
    } catch (err) {
      if (err === HANDLER_TIMEOUT) {
        log.error({ timeoutMs: this.handlerTimeoutMs() }, 'handler did not answer in time; InternalError sent');
        return error('InternalError', TEXT.timeout);
      }
      if (err instanceof RpcError) return error(err.code, err.description, err.details);
      log.error({ err }, 'handler threw; InternalError sent');
      return error('InternalError', TEXT.internal);
    }

    if (!isJsonObject(result)) {
      log.error({ resultType: result === null ? 'null' : typeof result }, 'handler result is not an object; InternalError sent');
      return error('InternalError', TEXT.internal);
    }
    const responseIssue = this.check(log, validator, action, 'response', result);
    if (responseIssue !== null) {
      log.error({ issue: responseIssue }, 'handler result is not a valid response; InternalError sent instead');
      return error('InternalError', TEXT.internal);
    }
    try {
      return serializeCallResult(messageId, result);
    } catch (err) {
      log.error({ err }, 'handler result cannot be encoded as JSON; InternalError sent');
      return error('InternalError', TEXT.internal);
    }
  }

  private check(
    log: Logger,
    validator: PayloadValidator,
    action: string,
    kind: 'request' | 'response',
    payload: unknown,
  ): PayloadIssue | null {
    try {
      return validator.validate(action, kind, payload);
    } catch (err) {
      log.error({ err, kind }, 'validator threw');
      return { code: 'InternalError', message: TEXT.internal, path: '' };
    }
  }

  /** Runs the handler with the time limit; rejects with HANDLER_TIMEOUT when it is exceeded. */
  private runHandler(handler: CallHandler, payload: JsonObject, ctx: HandlerContext): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(HANDLER_TIMEOUT);
      }, this.handlerTimeoutMs());
      Promise.resolve()
        .then(() => handler(payload, ctx))
        .then(
          (value) => {
            if (done) {
              this.logger.warn({ messageId: ctx.messageId }, 'late handler result dropped');
              return;
            }
            done = true;
            clearTimeout(timer);
            resolve(value);
          },
          (err: unknown) => {
            if (done) {
              this.logger.warn({ err, messageId: ctx.messageId }, 'late handler error dropped');
              return;
            }
            done = true;
            clearTimeout(timer);
            reject(err);
          },
        );
    });
  }
}
