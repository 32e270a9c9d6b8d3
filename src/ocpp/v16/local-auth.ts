/**
 * OCPP 1.6 Local Auth List Management (1.6 §5.10, §5.15, §3.5): GetLocalListVersion and
 * SendLocalList, on the version-neutral AuthService.
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import type { V16CsmsToCs, V16CsToCsms } from '../schemas/generated/v16/types.js';
import { fromIdTagInfo } from './mapping.js';

export function registerV16LocalAuth(ctx: AdapterContext, rpc: TypedRpc<V16CsToCsms, V16CsmsToCs>): void {
  const { auth } = ctx.services;
  const log = ctx.log.child({ component: 'local-list' });

  // -1: local list not supported (1.6 §5.10).
  rpc.handle('GetLocalListVersion', () => ({ listVersion: auth.localListSupported() ? auth.localListVersion() : -1 }));

  rpc.handle('SendLocalList', (req) => {
    const status = auth.sendLocalList({
      version: req.listVersion,
      type: req.updateType,
      entries: (req.localAuthorizationList ?? []).map((e) => ({
        token: e.idTag,
        ...(e.idTagInfo ? { info: fromIdTagInfo(e.idTagInfo) } : {}),
      })),
    });
    log.info({ version: req.listVersion, type: req.updateType, entries: req.localAuthorizationList?.length ?? 0, status }, 'local list update');
    return { status };
  });
}
