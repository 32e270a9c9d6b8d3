/**
 * OCPP-J RPC error codes, in the OCPP 2.0.1 spelling (ocpp-rules R-J8), as the schema layer names
 * them. The list itself belongs to the transport (src/ocpp/rpc/types.ts); this module only gives
 * it the schema layer's names. The transport maps codes to the 1.6 spellings on the wire.
 */
import { RPC_ERROR_CODES, type RpcErrorCode } from '../rpc/types.js';

export const CANONICAL_ERROR_CODES = RPC_ERROR_CODES;
export type CanonicalErrorCode = RpcErrorCode;

const CODE_SET: ReadonlySet<string> = new Set(CANONICAL_ERROR_CODES);

export function isCanonicalErrorCode(value: unknown): value is CanonicalErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}
