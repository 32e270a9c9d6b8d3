/**
 * `evsectl config list|get|set`: the station's settings for a technician, by OCPP 1.6 key
 * (`HeartbeatInterval`) or by OCPP 2.0.1 variable (`OCPPCommCtrlr.HeartbeatInterval`,
 * `TxCtrlr.TxStartPoint`, `EVSE[1].Power` …).
 *
 * Owns: the command shapes and the audit log entry of every local change (`by: 'technician'`).
 * A change runs exactly the checks a CSMS change runs (Settings.set / DeviceModel.set): read-only
 * stays read-only, types and limits hold. Must not: write storage directly.
 */
import type { Logger } from 'pino';
import { formatSetting, type Settings } from '../domain/settings.js';
import { listVariables, setFromTechnician, type DeviceModel } from '../ocpp/v201/device-model/index.js';
import { ControlError } from './protocol.js';
import type { ControlCommand } from './server.js';

export interface ConfigEntry {
  key: string;
  value: string | null;
  readonly: boolean;
  /** The OCPP 2.0.1 variable with the same value, if any. */
  variable: string | null;
  /** Only in 2.0.1 (not a 1.6 configuration key). */
  v201Only: boolean;
}

export interface ConfigSetResult {
  key: string;
  status: string;
  reason?: string;
}

export function configCommands(settings: Settings, dm: DeviceModel, logger: Logger): Record<string, ControlCommand> {
  const log = logger.child({ component: 'configuration' });
  const variableOf = () => {
    const map = new Map<string, string>();
    for (const v of listVariables(dm)) if (v.setting && !map.has(v.setting)) map.set(v.setting, v.address);
    return map;
  };
  const entries = (): ConfigEntry[] => {
    const vars = variableOf();
    return settings.entries().map(({ def, value }) => ({
      key: def.key,
      value: def.writeOnly ? null : formatSetting(value),
      readonly: Boolean(def.readonly),
      variable: vars.get(def.key) ?? null,
      v201Only: Boolean(def.v201Only),
    }));
  };
  const keyArg = (args: Record<string, unknown>) => {
    const key = args.key;
    if (typeof key !== 'string' || key.length === 0) throw new ControlError('badArgs', 'key must be a non-empty string');
    return key;
  };

  return {
    'config.list': { handler: () => ({ settings: entries(), variables: listVariables(dm) }) },
    'config.get': {
      handler: (args) => {
        const key = keyArg(args);
        if (settings.has(key)) return entries().find((e) => e.key === key);
        const v = listVariables(dm).find((x) => x.address.toLowerCase() === key.toLowerCase());
        if (!v) throw new ControlError('badArgs', `no setting or variable "${key}"`);
        return v;
      },
    },
    'config.set': {
      mutating: true,
      handler: (args): ConfigSetResult => {
        const key = keyArg(args);
        if (typeof args.value !== 'string') throw new ControlError('badArgs', 'value must be a string');
        const value = args.value;
        if (settings.has(key)) {
          const def = settings.definition(key)!;
          const r = settings.set(key, value);
          log.info(
            { key, value: def.writeOnly ? '[redacted]' : value, status: r.status, reason: r.reason, by: 'technician' },
            'configuration change',
          );
          if (r.status !== 'Accepted' && r.status !== 'RebootRequired') {
            throw new ControlError('refused', `${key}: ${r.reason ?? r.status}`);
          }
          return { key, status: r.status };
        }
        if (!key.includes('.')) throw new ControlError('badArgs', `no setting "${key}"`);
        const r = setFromTechnician(dm, key, value, log);
        if (r.status !== 'Accepted' && r.status !== 'RebootRequired') {
          const reason = 'reason' in r ? r.reason : r.statusInfo?.additionalInfo ?? r.statusInfo?.reasonCode;
          throw new ControlError('refused', `${key}: ${r.status}${reason ? ` (${reason})` : ''}`);
        }
        return { key, status: r.status };
      },
    },
  };
}
