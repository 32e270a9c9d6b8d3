/**
 * OCPP-J transport: message ids.
 *
 * Owns: ids for own CALLs. They must never repeat for this charging station identity, across
 * reconnects and process restarts (R-J4), so they are random UUIDv4 (36 characters), never
 * counters. Must not: keep state.
 */

import { randomUUID } from 'node:crypto';

/** A fresh message id: a UUIDv4, exactly 36 characters. */
export function newMessageId(): string {
  return randomUUID();
}
