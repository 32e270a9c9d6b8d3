/**
 * OCPP 1.6 GetConfiguration / ChangeConfiguration (1.6 §5.8, §5.3, §9).
 *
 * Owns: reporting keys (write-only ones never; 2.0.1-only settings only when asked by name) and
 * answering changes with the shared checks of src/domain/settings.ts (unknown key → NotSupported,
 * read-only or bad value → Rejected, RebootRequired where so). Values persist; the services that
 * use a setting follow it through Settings.onChange.
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import type { V16CsmsToCs, V16CsToCsms } from '../schemas/generated/v16/types.js';
import { formatSetting } from '../../domain/settings.js';

/** 1.6 CiString500Type: longest value GetConfiguration can carry. */
const MAX_VALUE_LENGTH = 500;

export function registerV16Configuration(ctx: AdapterContext, rpc: TypedRpc<V16CsToCsms, V16CsmsToCs>): void {
  const { settings } = ctx.services;
  const log = ctx.log.child({ component: 'configuration' });

  rpc.handle('GetConfiguration', (req) => {
    const asked = req.key;
    const entries = settings.entries().filter(({ def }) => !def.writeOnly);
    const report = (e: (typeof entries)[number]) => ({
      key: e.def.key,
      readonly: Boolean(e.def.readonly),
      value: formatSetting(e.value).slice(0, MAX_VALUE_LENGTH),
    });
    if (!asked || asked.length === 0) {
      return { configurationKey: entries.filter(({ def }) => !def.v201Only).map(report) };
    }
    const known = new Map(entries.map((e) => [e.def.key, e]));
    const configurationKey = [];
    const unknownKey: string[] = [];
    for (const key of asked) {
      const e = known.get(key);
      if (e) configurationKey.push(report(e));
      else unknownKey.push(key);
    }
    return {
      ...(configurationKey.length > 0 ? { configurationKey } : {}),
      ...(unknownKey.length > 0 ? { unknownKey } : {}),
    };
  });

  rpc.handle('ChangeConfiguration', (req) => {
    const result = settings.set(req.key, req.value);
    const def = settings.definition(req.key);
    log.info(
      { key: req.key, value: def?.writeOnly ? '[redacted]' : req.value, status: result.status, reason: result.reason, by: 'csms' },
      'configuration change',
    );
    return { status: result.status };
  });
}
