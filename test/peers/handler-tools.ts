// Small tools for test handlers of the test CSMS: answering with a CALLERROR, never answering,
// and racing a handler against its connection going away.
// Must not: know about TestCsms or keep state.

import { createRPCError, type RpcError } from './rpc-types.js';

/** A CALLERROR for a handler to throw: `throw rpcError('SecurityError', 'not accepted yet')`. */
export function rpcError(code: string, description = '', details: Record<string, unknown> = {}): RpcError {
  return createRPCError(code, description, details);
}

/** For a handler to return when the CSMS must never answer this CALL. */
export function neverAnswer(): Promise<never> {
  return new Promise<never>(() => undefined);
}

/** Rejects when the connection goes away, so closing never waits on a silent handler. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('connection closed before the handler answered'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('connection closed before the handler answered'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}
