/**
 * Runtime entry to OCPP payload validation: loads the ahead-of-time compiled validators of one
 * protocol version on first use (dynamic import, cached) and reports the first problem of a payload
 * with its OCPP-J error code.
 *
 * Owns: the protocol → generated module mapping, unknown-action and non-object payload handling.
 * Must not: compile schemas (no ajv compiler is ever loaded), know error spellings per version
 * (the transport does), or decide what to do with an invalid message.
 */

import { formatMessage, issueFromError, jsonTypeOf, limitMessage, type ValidationIssue } from './issues.js';
import type { CompiledVersionModule } from './validator-types.js';

export type { CanonicalErrorCode } from './error-codes.js';
export type { ValidationIssue } from './issues.js';

export type OcppProtocol = 'ocpp1.6' | 'ocpp2.0.1';

/** In the order evsed prefers them when nothing else is configured. */
export const SUPPORTED_PROTOCOLS: readonly OcppProtocol[] = Object.freeze(['ocpp2.0.1', 'ocpp1.6'] as const);

export type MessageKind = 'request' | 'response';

export interface ProtocolSchemas {
  protocol: OcppProtocol;
  /** actions this protocol defines, per direction (DataTransfer is in both) */
  csToCsms: ReadonlySet<string>;
  csmsToCs: ReadonlySet<string>;
  /** null when valid; else the first problem, with the OCPP-J error code for it */
  validate(action: string, kind: MessageKind, payload: unknown): ValidationIssue | null;
}

const MODULES: Readonly<Record<OcppProtocol, () => Promise<CompiledVersionModule>>> = {
  'ocpp1.6': () => import('./generated/v16/validators.js'),
  'ocpp2.0.1': () => import('./generated/v201/validators.js'),
};

const cache = new Map<OcppProtocol, Promise<ProtocolSchemas>>();

export type SchemaLoadErrorCode = 'unsupportedProtocol' | 'validatorsUnavailable';

export class SchemaLoadError extends Error {
  readonly code: SchemaLoadErrorCode;

  constructor(code: SchemaLoadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaLoadError';
    this.code = code;
  }
}

export function isOcppProtocol(value: unknown): value is OcppProtocol {
  return typeof value === 'string' && (SUPPORTED_PROTOCOLS as readonly string[]).includes(value);
}

/** Validators of `protocol`; the module is imported once per process, on the first call. */
export function loadSchemas(protocol: OcppProtocol): Promise<ProtocolSchemas> {
  let loaded = cache.get(protocol);
  if (!loaded) {
    const load = Object.hasOwn(MODULES, protocol) ? MODULES[protocol] : undefined;
    if (!load) return Promise.reject(new SchemaLoadError('unsupportedProtocol', `unsupported OCPP protocol: ${String(protocol)}`));
    loaded = load().then(
      (mod) => fromModule(protocol, mod),
      (err: unknown) => {
        throw new SchemaLoadError('validatorsUnavailable', `${protocol} validators cannot be loaded (npm run gen:schemas, then build)`, {
          cause: err,
        });
      },
    );
    // a failed import is not cached, so a later call can retry (and report) it again
    loaded.catch(() => cache.delete(protocol));
    cache.set(protocol, loaded);
  }
  return loaded;
}

function fromModule(protocol: OcppProtocol, mod: CompiledVersionModule): ProtocolSchemas {
  const validators = new Map(Object.entries(mod.validators));
  return {
    protocol,
    csToCsms: new Set(mod.csToCsms),
    csmsToCs: new Set(mod.csmsToCs),
    validate(action, kind, payload) {
      const pair = validators.get(action);
      if (!pair) {
        return {
          code: 'NotImplemented',
          message: limitMessage(`action ${JSON.stringify(String(action).slice(0, 60))} is not defined by ${protocol}`),
          path: '',
        };
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        return {
          code: 'FormatViolation',
          message: formatMessage('', `must be a JSON object, got ${jsonTypeOf(payload)}`),
          path: '',
        };
      }
      const validator = kind === 'request' ? pair.request : pair.response;
      if (validator(payload)) return null;
      const first = validator.errors?.[0];
      if (!first) return { code: 'FormatViolation', message: formatMessage('', 'does not match the schema'), path: '' };
      return issueFromError(first, payload);
    },
  };
}
