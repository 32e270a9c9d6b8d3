/**
 * Access to the `socketcan` npm package (node-can 4.0.7: CommonJS, native addon).
 *
 * Owns: loading the package lazily, so that importing hal/can on a machine without the native
 * addon (or evsed running another driver) costs nothing, and turning a load failure into
 * HalError 'notSupported'. Also the types other modules of hal/can use from it.
 *
 * Must not: open channels or parse databases (channel.ts and codec.ts do).
 */
import { createRequire } from 'node:module';
import type * as SocketCanModule from 'socketcan';
import { HalError } from '../errors.js';

export type SocketCan = typeof SocketCanModule;
/** The raw channel class of the native addon (what `createRawChannelWithOptions` returns). */
export type RawChannel = ReturnType<SocketCan['createRawChannelWithOptions']>;
/** A parsed KCD file. */
export type CanNetwork = ReturnType<SocketCan['parseNetworkDescription']>;
export type KcdBus = CanNetwork['buses'][string];
export type KcdMessage = KcdBus['messages'][number];
export type DatabaseService = InstanceType<SocketCan['DatabaseService']>;

let loaded: SocketCan | null = null;

/** The socketcan package; throws HalError 'notSupported' when it (or its addon) cannot load. */
export function loadSocketCan(): SocketCan {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('socketcan') as SocketCan;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HalError('notSupported', `the socketcan package cannot be loaded (${reason})`, { cause: error });
  }
  return loaded;
}
