/**
 * Device model reports (B07 Get Base Report, B08 Get Custom Report): which variables a report
 * holds, how each is described (ReportDataType), and how a report is cut into NotifyReport
 * messages.
 *
 * Owns: ConfigurationInventory (ReadWrite and WriteOnly variables, B07.FR.07), FullInventory
 * (everything, B07.FR.08), SummaryInventory (availability and problems, B07.FR.09), the
 * componentVariable matching of B08.FR.20–25 and the componentCriteria of B08.FR.07–10/13, and
 * the split into messages (seqNo from 0, tbc on all but the last, B07.FR.10). WriteOnly values are
 * never included (B07.FR.03 / B08.FR.03 as amended by errata 2025-01).
 * Must not: send anything (handlers.ts does).
 */
import type {
  ComponentCriterionEnumType,
  ComponentType,
  ComponentVariableType,
  NotifyReportRequest,
  ReportBaseEnumType,
  ReportDataType,
  VariableType,
} from '../../schemas/generated/v201/types.js';
import { instanceKey } from './address.js';
import type { DeviceModel, Target } from './device-model.js';
import { DM_LIMITS, type ComponentDef, type VariableDef } from './model.js';

function componentOf(c: ComponentDef): ComponentType {
  return {
    name: c.name,
    ...(c.instance ? { instance: c.instance } : {}),
    ...(c.evse
      ? { evse: { id: c.evse.id, ...(c.evse.connectorId !== undefined ? { connectorId: c.evse.connectorId } : {}) } }
      : {}),
  };
}

function variableOf(v: VariableDef): VariableType {
  return { name: v.name, ...(v.instance ? { instance: v.instance } : {}) };
}

/** One reportData entry: every attribute of the variable (B07.FR.11) and its characteristics (B08.FR.12). */
export function describe(dm: DeviceModel, t: Target): ReportDataType {
  const v = t.variable;
  const ch = v.characteristics;
  return {
    component: componentOf(t.component),
    variable: variableOf(v),
    variableAttribute: v.attributes.map((a) => ({
      type: a.type,
      ...(v.mutability === 'WriteOnly' ? {} : { value: dm.read(t, a).slice(0, DM_LIMITS.reportingValueSize) }),
      mutability: v.mutability,
      persistent: v.persistent,
      constant: v.constant,
    })),
    variableCharacteristics: {
      ...(ch.unit !== undefined ? { unit: ch.unit } : {}),
      dataType: ch.dataType,
      ...(ch.minLimit !== undefined ? { minLimit: ch.minLimit } : {}),
      ...(ch.maxLimit !== undefined ? { maxLimit: ch.maxLimit } : {}),
      ...(ch.valuesList ? { valuesList: ch.valuesList.join(',') } : {}),
      supportsMonitoring: false,
    },
  };
}

const actual = (dm: DeviceModel, component: ComponentDef, name: string): string | undefined => {
  const out = dm.get(component, { name });
  return out.status === 'Accepted' ? out.value : undefined;
};

/**
 * SummaryInventory (B07.FR.09): AvailabilityState of the station and of every EVSE, of a
 * connector when it differs from its EVSE's, and the Problem variable of every component that
 * has a problem now.
 */
function summary(dm: DeviceModel): Target[] {
  const evseState = new Map<number, string | undefined>();
  for (const c of dm.catalog) if (c.name === 'EVSE' && c.evse) evseState.set(c.evse.id, actual(dm, c, 'AvailabilityState'));
  return dm.entries().filter(({ component, variable }) => {
    if (variable.instance) return false;
    if (variable.name === 'AvailabilityState') {
      if (component.name !== 'Connector') return true;
      return actual(dm, component, 'AvailabilityState') !== evseState.get(component.evse?.id ?? 0);
    }
    return variable.name === 'Problem' && actual(dm, component, 'Problem') === 'true';
  });
}

/** Variables of a base report, in catalogue order. */
export function baseReport(dm: DeviceModel, base: ReportBaseEnumType): Target[] {
  switch (base) {
    case 'ConfigurationInventory':
      return dm.entries().filter((t) => t.variable.mutability !== 'ReadOnly');
    case 'FullInventory':
      return dm.entries();
    case 'SummaryInventory':
      return summary(dm);
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** B08.FR.22–25: name always; instance and EVSE / connector only when the request gives them. */
function componentMatches(req: ComponentType, c: ComponentDef): boolean {
  if (!same(req.name, c.name)) return false;
  if (instanceKey(req.instance) !== '' && instanceKey(req.instance) !== instanceKey(c.instance)) return false;
  if (req.evse) {
    if (!c.evse || c.evse.id !== req.evse.id) return false;
    if (req.evse.connectorId !== undefined && c.evse.connectorId !== req.evse.connectorId) return false;
  }
  return true;
}

/** B08.FR.20/21: no variable = all of them; no instance = every instance. */
function variableMatches(req: VariableType | undefined, v: VariableDef): boolean {
  if (!req) return true;
  if (![v.name, ...(v.aliases ?? [])].some((n) => same(n, req.name))) return false;
  return instanceKey(req.instance) === '' || instanceKey(req.instance) === instanceKey(v.instance);
}

/**
 * B08.FR.07–10: a component qualifies for Active / Available / Enabled when that variable is true
 * or it has no such variable; for Problem only when Problem is true. Several criteria: any
 * (B08.FR.13).
 */
function meetsCriteria(dm: DeviceModel, c: ComponentDef, criteria: readonly ComponentCriterionEnumType[]): boolean {
  return criteria.some((criterion) => {
    const has = c.variables.some((v) => v.name === criterion && !v.instance);
    if (!has) return criterion !== 'Problem';
    return actual(dm, c, criterion) === 'true';
  });
}

/** Variables of a custom report (B08.FR.05/11): both filters apply when both are given. */
export function customReport(
  dm: DeviceModel,
  req: { componentVariable?: readonly ComponentVariableType[]; componentCriteria?: readonly ComponentCriterionEnumType[] },
): Target[] {
  const criteria = req.componentCriteria;
  const wanted = req.componentVariable;
  // Criteria are judged once per component, so all its variables agree.
  const qualifies = new Map<ComponentDef, boolean>();
  const meets = (c: ComponentDef, list: readonly ComponentCriterionEnumType[]) => {
    let ok = qualifies.get(c);
    if (ok === undefined) qualifies.set(c, (ok = meetsCriteria(dm, c, list)));
    return ok;
  };
  return dm.entries().filter(({ component, variable }) => {
    if (criteria && criteria.length > 0 && !meets(component, criteria)) return false;
    if (!wanted || wanted.length === 0) return true;
    return wanted.some((cv) => componentMatches(cv.component, component) && variableMatches(cv.variable, variable));
  });
}

/** Cut a report into NotifyReport messages of at most `perMessage` entries (at least one message). */
export function notifyReports(
  requestId: number,
  generatedAt: string,
  data: readonly ReportDataType[],
  perMessage: number = DM_LIMITS.getReportItems,
): NotifyReportRequest[] {
  const size = Math.max(1, Math.floor(perMessage));
  const parts: ReportDataType[][] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.slice(i, i + size));
  if (parts.length === 0) parts.push([]);
  return parts.map((part, seqNo) => ({
    requestId,
    generatedAt,
    ...(part.length > 0 ? { reportData: part } : {}),
    seqNo,
    tbc: seqNo < parts.length - 1,
  }));
}
