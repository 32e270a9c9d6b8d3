/**
 * OCPP 2.0.1 functional block B, configuration part: GetVariables (B06), SetVariables (B05),
 * GetBaseReport (B07) and GetReport (B08), answered from the DeviceModel.
 *
 * Owns: the message limits evsed announces in DeviceDataCtrlr (more items than
 * ItemsPerMessage → CALLERROR OccurrenceConstraintViolation, B06.FR.16 / B08.FR.17; a request
 * larger than BytesPerMessage → CALLERROR FormatViolation, B06.FR.17 / B08.FR.18), results in
 * request order echoing component, variable and attributeType (Actual when absent), the log line
 * of every write (value redacted for WriteOnly variables, `by: 'csms'`), and sending a report:
 * the answer first, then NotifyReport messages one after the other, each awaited, all with the
 * requestId and generatedAt of the request. Must not: decide what a report holds (reports.ts) or
 * how a value is checked (DeviceModel).
 */
import type { Logger } from 'pino';
import type { AdapterContext, TypedRpc } from '../../adapter.js';
import { afterReply } from '../../adapter.js';
import { RpcError } from '../../rpc/index.js';
import type {
  GetVariableResultType,
  ReportDataType,
  SetVariableResultType,
  V201CsmsToCs,
  V201CsToCsms,
} from '../../schemas/generated/v201/types.js';
import { componentLabel, variableLabelOf } from './address.js';
import type { DeviceModel, SetOutcome } from './device-model.js';
import { DM_LIMITS } from './model.js';
import { baseReport, customReport, describe, notifyReports } from './reports.js';

type Rpc = TypedRpc<V201CsToCsms, V201CsmsToCs>;

/** Refuse a request beyond the announced item or byte limits (as a CALLERROR). */
function enforceLimits(action: string, payload: unknown, items: number, maxItems: number): void {
  if (items > maxItems) {
    throw new RpcError('OccurrenceConstraintViolation', `${action}: ${items} items, ItemsPerMessage[${action}] is ${maxItems}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (bytes > DM_LIMITS.bytesPerMessage) {
    throw new RpcError(
      'FormatViolation',
      `${action}: ${bytes} bytes, BytesPerMessage[${action}] is ${DM_LIMITS.bytesPerMessage}`,
    );
  }
}

/** Log one write the way evsectl's writes are logged too (technician.ts). */
export function logWrite(
  log: Pick<Logger, 'info'>,
  outcome: SetOutcome,
  request: { component: SetVariableResultType['component']; variable: SetVariableResultType['variable']; value: string },
  by: 'csms' | 'technician',
): void {
  const secret = outcome.target?.variable.mutability === 'WriteOnly';
  log.info(
    {
      dm: {
        component: componentLabel(outcome.target?.component ?? request.component),
        variable: variableLabelOf(outcome.target?.variable ?? request.variable),
        attributeType: outcome.attributeType,
      },
      value: secret ? '[redacted]' : (outcome.value ?? request.value),
      status: outcome.status,
      ...(outcome.statusInfo ? { reason: outcome.statusInfo.additionalInfo ?? outcome.statusInfo.reasonCode } : {}),
      by,
    },
    'device model variable set',
  );
}

/** Send one report after the answer has gone out: NotifyReport messages in order, each awaited. */
function sendReport(rpc: Rpc, log: Logger, requestId: number, generatedAt: string, data: readonly ReportDataType[]): void {
  afterReply(async () => {
    const messages = notifyReports(requestId, generatedAt, data, DM_LIMITS.getReportItems);
    for (const message of messages) {
      try {
        await rpc.call('NotifyReport', message);
      } catch (err) {
        log.error(
          { err, requestId, seqNo: message.seqNo, of: messages.length },
          'report not delivered; the rest of it is dropped',
        );
        return;
      }
    }
    log.info({ requestId, messages: messages.length, entries: data.length }, 'report sent');
  }, log);
}

export function registerV201DeviceModel(ctx: AdapterContext, rpc: Rpc, dm: DeviceModel): void {
  const log = ctx.log.child({ component: 'device-model' });
  const { clock } = ctx.services;

  rpc.handle('GetVariables', (req) => {
    enforceLimits('GetVariables', req, req.getVariableData.length, DM_LIMITS.getVariablesItems);
    const getVariableResult = req.getVariableData.map((d): GetVariableResultType => {
      const out = dm.get(d.component, d.variable, d.attributeType ?? 'Actual');
      return {
        attributeStatus: out.status,
        attributeType: out.attributeType,
        ...(out.value !== undefined ? { attributeValue: out.value } : {}),
        ...(out.statusInfo ? { attributeStatusInfo: out.statusInfo } : {}),
        component: d.component,
        variable: d.variable,
      };
    });
    return { getVariableResult };
  });

  rpc.handle('SetVariables', (req) => {
    enforceLimits('SetVariables', req, req.setVariableData.length, DM_LIMITS.setVariablesItems);
    const setVariableResult = req.setVariableData.map((d): SetVariableResultType => {
      const out = dm.set(d.component, d.variable, d.attributeValue, d.attributeType ?? 'Actual');
      logWrite(log, out, { component: d.component, variable: d.variable, value: d.attributeValue }, 'csms');
      return {
        attributeStatus: out.status,
        attributeType: out.attributeType,
        ...(out.statusInfo ? { attributeStatusInfo: out.statusInfo } : {}),
        component: d.component,
        variable: d.variable,
      };
    });
    return { setVariableResult };
  });

  rpc.handle('GetBaseReport', (req) => {
    // Every base report is supported (B07.FR.12, and SummaryInventory); the values are taken now.
    const data = baseReport(dm, req.reportBase).map((t) => describe(dm, t));
    log.info({ requestId: req.requestId, reportBase: req.reportBase, entries: data.length }, 'base report requested');
    sendReport(rpc, log, req.requestId, clock.isoNow(), data);
    return { status: 'Accepted' };
  });

  rpc.handle('GetReport', (req) => {
    enforceLimits('GetReport', req, req.componentVariable?.length ?? 0, DM_LIMITS.getReportItems);
    const data = customReport(dm, req).map((t) => describe(dm, t));
    log.info({ requestId: req.requestId, criteria: req.componentCriteria, entries: data.length }, 'custom report requested');
    if (data.length === 0) {
      // B08.FR.15: nothing matches; no NotifyReport follows.
      return {
        status: 'EmptyResultSet',
        statusInfo: { reasonCode: 'NotFound', additionalInfo: 'no component/variable matches the request' },
      };
    }
    sendReport(rpc, log, req.requestId, clock.isoNow(), data);
    return { status: 'Accepted' };
  });
}
