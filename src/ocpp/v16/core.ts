/**
 * OCPP 1.6 Core profile requests from the Central System (1.6 §5): RemoteStartTransaction,
 * RemoteStopTransaction, Reset, ChangeAvailability, UnlockConnector, ClearCache, DataTransfer.
 *
 * Owns: each handler's checks and answer, and what follows the answer (1.6 §5.14: answer first,
 * then act). Must not: hold session logic (src/domain/sessions.ts) or transaction logic.
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import { afterReply } from '../adapter.js';
import type { Outbox } from '../outbox.js';
import type { V16CsmsToCs, V16CsToCsms } from '../schemas/generated/v16/types.js';
import type { V16Transactions } from './transactions.js';

/** Where a TxProfile that came with RemoteStartTransaction is kept until smart charging applies it. */
export const REMOTE_START_PROFILE_KEY = (connector: number) => `ocpp16.remoteStartProfile.${connector}`;

async function drain(outbox: Outbox, maxMs: number): Promise<void> {
  await Promise.race([outbox.whenEmpty(), new Promise((r) => setTimeout(r, maxMs).unref())]);
}

export function registerV16Core(ctx: AdapterContext, rpc: TypedRpc<V16CsToCsms, V16CsmsToCs>, tx: V16Transactions): void {
  const { services, stores, log } = ctx;
  const { runtime, sessions, transactions, settings, auth } = services;
  const pending = () => ctx.registration() === 'pending';

  rpc.handle('RemoteStartTransaction', (req) => {
    // 1.6 §4.2: no remote start while Pending.
    if (pending()) return { status: 'Rejected' };
    if (req.chargingProfile && req.chargingProfile.chargingProfilePurpose !== 'TxProfile') return { status: 'Rejected' };
    if (req.connectorId !== undefined && !runtime.connector(req.connectorId)) return { status: 'Rejected' };
    const free = runtime.connectors.filter((c) => c.sessionToken === null && c.canAuthorize());
    const target = req.connectorId ?? (free.find((c) => c.view().state === 'preparing.evConnected') ?? free[0])?.info.id;
    const c = target === undefined ? undefined : runtime.connector(target);
    if (!c || !c.canAuthorize()) return { status: 'Rejected' };
    if (req.chargingProfile) stores.settings.set(REMOTE_START_PROFILE_KEY(c.info.id), req.chargingProfile);
    afterReply(async () => {
      const r = await sessions.remoteStart(req.idTag, c.info.id, { authorize: settings.bool('AuthorizeRemoteTxRequests') });
      if (!r.accepted) log.info({ connector: c.info.id, reason: r.reason }, 'remote start did not lead to a session');
    }, log);
    return { status: 'Accepted' };
  });

  rpc.handle('RemoteStopTransaction', (req) => {
    if (pending()) return { status: 'Rejected' };
    const running = tx.byCsmsId(req.transactionId);
    if (!running) return { status: 'Rejected' };
    afterReply(() => void sessions.remoteStop(running.connector), log);
    return { status: 'Accepted' };
  });

  rpc.handle('Reset', (req) => {
    const soft = req.type === 'Soft';
    afterReply(async () => {
      log.warn({ type: req.type }, 'reset requested by the CSMS');
      transactions.stopAll(soft ? 'softReset' : 'hardReset');
      // Give the stop messages a chance to leave before restarting; whatever is left is in the
      // queue and goes after the next BootNotification is accepted (errata 3.36, 3.82).
      await drain(tx.outbox, soft ? 10_000 : 3_000);
      ctx.requestRestart(soft ? 'soft' : 'hard', `Reset ${req.type}`);
    }, log);
    return { status: 'Accepted' };
  });

  rpc.handle('ChangeAvailability', (req) => {
    const operative = req.type === 'Operative';
    if (req.connectorId !== 0 && !runtime.connector(req.connectorId)) return { status: 'Rejected' };
    const affected = req.connectorId === 0 ? runtime.connectors : [runtime.connector(req.connectorId)!];
    // A running session keeps going; the change happens when it ends (1.6 §5.2).
    const scheduled = !operative && affected.some((c) => c.view().authorized || transactions.active(c.info.id));
    runtime.setOperative(req.connectorId, operative);
    return { status: scheduled ? 'Scheduled' : 'Accepted' };
  });

  rpc.handle('UnlockConnector', async (req) => {
    const c = runtime.connector(req.connectorId);
    // Unknown connector or no lock: NotSupported (errata 3.87).
    if (!c || !c.info.hasLock) return { status: 'NotSupported' };
    if (transactions.active(c.info.id) || c.view().authorized) transactions.requestStop(c.info.id, 'unlockCommand', { force: true });
    const result = await sessions.unlock(c.info.id);
    return { status: result === 'unlocked' ? 'Unlocked' : result === 'failed' ? 'UnlockFailed' : 'NotSupported' };
  });

  rpc.handle('ClearCache', () => {
    // Rejected when there is no cache to clear (errata 3.23).
    if (!settings.bool('AuthorizationCacheEnabled')) return { status: 'Rejected' };
    auth.clearCache();
    return { status: 'Accepted' };
  });

  rpc.handle('DataTransfer', (req) => {
    log.info({ vendorId: req.vendorId, messageId: req.messageId }, 'DataTransfer for an unknown vendor');
    return { status: 'UnknownVendorId' };
  });
}
