// Default, schema-valid CSMS answers to every CS→CSMS action of OCPP 1.6J (+ security
// extensions) and OCPP 2.0.1.
// Owns: which actions a CSMS answers per protocol and what it answers by default.
// Must not: do I/O or keep connection state; the transaction id counter is passed in.

import type { BootConfig, OcppProtocol } from './types.js';

/** CS→CSMS actions per protocol (1.6 includes the Security Whitepaper messages). */
export const CS_TO_CSMS_ACTIONS = {
  'ocpp1.6': [
    'Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification',
    'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StartTransaction',
    'StatusNotification', 'StopTransaction',
    'LogStatusNotification', 'SecurityEventNotification', 'SignCertificate',
    'SignedFirmwareStatusNotification',
  ],
  'ocpp2.0.1': [
    'Authorize', 'BootNotification', 'ClearedChargingLimit', 'DataTransfer',
    'FirmwareStatusNotification', 'Get15118EVCertificate', 'GetCertificateStatus', 'Heartbeat',
    'LogStatusNotification', 'MeterValues', 'NotifyChargingLimit', 'NotifyCustomerInformation',
    'NotifyDisplayMessages', 'NotifyEVChargingNeeds', 'NotifyEVChargingSchedule', 'NotifyEvent',
    'NotifyMonitoringReport', 'NotifyReport', 'PublishFirmwareStatusNotification',
    'ReportChargingProfiles', 'ReservationStatusUpdate', 'SecurityEventNotification',
    'SignCertificate', 'StatusNotification', 'TransactionEvent',
  ],
} as const satisfies Record<OcppProtocol, readonly string[]>;

/** 1.6 AuthorizationStatus values; other (2.0.1-only) statuses are answered as Invalid on 1.6. */
const AUTH_STATUS_16 = new Set(['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx']);

export const DEFAULT_BOOT = { status: 'Accepted', interval: 300 } as const;

export interface DefaultsContext {
  protocol: OcppProtocol;
  tokens: ReadonlyMap<string, string>;
  /** Static boot answer (a boot function is handled by the caller). */
  boot: Exclude<BootConfig, (...args: never[]) => unknown>;
  nextTransactionId: () => number;
}

export function hasDefault(protocol: OcppProtocol, action: string): boolean {
  return (CS_TO_CSMS_ACTIONS[protocol] as readonly string[]).includes(action);
}

/** Authorization status for a token: the table's value, Accepted when unknown. */
export function tokenStatus(ctx: Pick<DefaultsContext, 'protocol' | 'tokens'>, token: unknown): string {
  const status = (typeof token === 'string' ? ctx.tokens.get(token) : undefined) ?? 'Accepted';
  if (ctx.protocol === 'ocpp1.6' && !AUTH_STATUS_16.has(status)) return 'Invalid';
  return status;
}

function nowIso(): string {
  return new Date().toISOString();
}

/** The default answer, or undefined when the action has no default for this protocol. */
export function defaultResponse(action: string, payload: any, ctx: DefaultsContext): object | undefined {
  if (!hasDefault(ctx.protocol, action)) return undefined;
  return ctx.protocol === 'ocpp1.6' ? default16(action, payload, ctx) : default201(action, payload, ctx);
}

function default16(action: string, payload: any, ctx: DefaultsContext): object {
  switch (action) {
    case 'BootNotification':
      return { status: ctx.boot.status, currentTime: nowIso(), interval: ctx.boot.interval };
    case 'Heartbeat':
      return { currentTime: nowIso() };
    case 'Authorize':
      return { idTagInfo: { status: tokenStatus(ctx, payload?.idTag) } };
    case 'StartTransaction':
      return {
        transactionId: ctx.nextTransactionId(),
        idTagInfo: { status: tokenStatus(ctx, payload?.idTag) },
      };
    case 'StopTransaction':
      return typeof payload?.idTag === 'string'
        ? { idTagInfo: { status: tokenStatus(ctx, payload.idTag) } }
        : {};
    case 'DataTransfer':
      return { status: 'UnknownVendorId' };
    case 'SignCertificate':
      return { status: 'Accepted' };
    default:
      // StatusNotification, MeterValues, *StatusNotification, SecurityEventNotification
      return {};
  }
}

function default201(action: string, payload: any, ctx: DefaultsContext): object {
  switch (action) {
    case 'BootNotification':
      return { currentTime: nowIso(), interval: ctx.boot.interval, status: ctx.boot.status };
    case 'Heartbeat':
      return { currentTime: nowIso() };
    case 'Authorize':
      return { idTokenInfo: { status: tokenStatus(ctx, payload?.idToken?.idToken) } };
    case 'TransactionEvent':
      return payload?.idToken !== undefined
        ? { idTokenInfo: { status: tokenStatus(ctx, payload.idToken.idToken) } }
        : {};
    case 'DataTransfer':
      return { status: 'UnknownVendorId' };
    case 'SignCertificate':
    case 'NotifyEVChargingNeeds':
    case 'NotifyEVChargingSchedule':
      return { status: 'Accepted' };
    case 'Get15118EVCertificate':
      // No V2G PKI behind this test CSMS.
      return { status: 'Failed', exiResponse: '' };
    case 'GetCertificateStatus':
      return { status: 'Failed' };
    default:
      // StatusNotification, MeterValues, Notify*, *StatusNotification, SecurityEventNotification,
      // ReservationStatusUpdate, ClearedChargingLimit, ReportChargingProfiles
      return {};
  }
}
