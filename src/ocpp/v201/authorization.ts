/**
 * OCPP 2.0.1 authorization (functional blocks C and D): Authorize, ClearCache, SendLocalList,
 * GetLocalListVersion, on the version-neutral AuthService.
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import type { AuthInfo } from '../../domain/auth-types.js';
import type { V201CsmsToCs, V201CsToCsms } from '../schemas/generated/v201/types.js';
import { fromIdTokenInfo, idToken } from './mapping.js';

export function registerV201Authorization(ctx: AdapterContext, rpc: TypedRpc<V201CsToCsms, V201CsmsToCs>): (token: string) => Promise<AuthInfo> {
  const { auth, settings } = ctx.services;
  const log = ctx.log.child({ component: 'authorization' });

  rpc.handle('ClearCache', () => {
    // C11.FR.04: Rejected when the cache is disabled.
    if (!settings.bool('AuthorizationCacheEnabled')) return { status: 'Rejected' };
    auth.clearCache();
    return { status: 'Accepted' };
  });

  rpc.handle('GetLocalListVersion', () => ({ versionNumber: auth.localListVersion() }));

  rpc.handle('SendLocalList', (req) => {
    const status = auth.sendLocalList({
      version: req.versionNumber,
      type: req.updateType,
      entries: (req.localAuthorizationList ?? []).map((e) => ({
        token: e.idToken.idToken,
        ...(e.idTokenInfo ? { info: fromIdTokenInfo(e.idTokenInfo) } : {}),
      })),
    });
    log.info({ version: req.versionNumber, type: req.updateType, entries: req.localAuthorizationList?.length ?? 0, status }, 'local list update');
    // 2.0.1 has no NotSupported here: the list is always supported.
    return { status: status === 'NotSupported' ? 'Failed' : status };
  });

  return async (token) => {
    const answer = await rpc.call('Authorize', { idToken: idToken(token) });
    return fromIdTokenInfo(answer.idTokenInfo);
  };
}
