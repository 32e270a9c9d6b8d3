/**
 * OCPP 2.0.1 remote control (functional block F) and data transfer (P): RequestStartTransaction,
 * RequestStopTransaction, UnlockConnector, DataTransfer.
 *
 * Owns: each request's checks and answer, and what follows the answer (F01–F05). Must not: hold
 * session or transaction logic (src/domain does).
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import { afterReply } from '../adapter.js';
import type { V201CsmsToCs, V201CsToCsms } from '../schemas/generated/v201/types.js';

/** Where a TxProfile that came with RequestStartTransaction is kept until smart charging applies it. */
export const REQUEST_START_PROFILE_KEY = (connector: number) => `ocpp201.requestStartProfile.${connector}`;

export function registerV201Control(ctx: AdapterContext, rpc: TypedRpc<V201CsToCsms, V201CsmsToCs>): void {
  const { services, stores, log } = ctx;
  const { runtime, sessions, transactions, settings } = services;

  const connectorOfEvse = (evseId: number) => runtime.connectors.find((c) => c.info.evseId === evseId);

  rpc.handle('RequestStartTransaction', (req) => {
    // B02.FR.05: no remote start while Pending.
    if (ctx.registration() === 'pending') return { status: 'Rejected', statusInfo: { reasonCode: 'NotAccepted' } };
    if (req.chargingProfile && req.chargingProfile.chargingProfilePurpose !== 'TxProfile') {
      return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidProfile', additionalInfo: 'chargingProfilePurpose must be TxProfile' } };
    }
    const token = req.idToken.idToken;
    // H03.FR.01 / F01.FR.22 (TC_H_02_CS): a connector reserved for another card is refused at
    // once. A reservation for a group lets the start through: the token's group is only known
    // after authorization, and the session checks it then.
    const reservedForOthers = (connector: number) => {
      const r = services.reservations.check(connector, token);
      return r.verdict === 'blocked' && !r.reservation?.group;
    };
    let target = req.evseId !== undefined ? connectorOfEvse(req.evseId) : undefined;
    if (req.evseId !== undefined && !target) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
    if (!target) {
      const free = runtime.connectors.filter((c) => c.sessionToken === null && c.canAuthorize() && !reservedForOthers(c.info.id));
      target = free.find((c) => c.view().state === 'preparing.evConnected') ?? free[0];
    }
    if (!target || !target.canAuthorize()) return { status: 'Rejected', statusInfo: { reasonCode: 'Occupied' } };
    if (reservedForOthers(target.info.id)) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'Reserved', additionalInfo: 'the EVSE is reserved for another idToken' } };
    }
    const running = transactions.active(target.info.id);
    if (req.chargingProfile) stores.settings.set(REQUEST_START_PROFILE_KEY(target.info.id), req.chargingProfile);
    const connector = target.info.id;
    afterReply(async () => {
      if (running) stores.transactions.setRemoteStartId(running.id, req.remoteStartId);
      const r = await sessions.remoteStart(token, connector, {
        authorize: settings.bool('AuthorizeRemoteTxRequests'),
        details: { remoteStartId: req.remoteStartId, idTagType: req.idToken.type },
      });
      if (!r.accepted) log.info({ connector, reason: r.reason }, 'remote start did not lead to a session');
    }, log);
    // F01.FR.19/20: a transaction that already runs (started at plug-in) is named in the answer.
    return { status: 'Accepted', ...(running ? { transactionId: running.id } : {}) };
  });

  rpc.handle('RequestStopTransaction', (req) => {
    const tx = transactions.get(req.transactionId);
    if (!tx || tx.state !== 'active') return { status: 'Rejected' };
    afterReply(() => void sessions.remoteStop(tx.connector), log);
    return { status: 'Accepted' };
  });

  rpc.handle('UnlockConnector', async (req) => {
    const c = runtime.connectors.find((x) => x.info.evseId === req.evseId && x.info.connectorId === req.connectorId);
    if (!c) return { status: 'UnknownConnector' };
    // F05.FR.02: an authorized transaction keeps its cable.
    if (c.view().authorized && transactions.active(c.info.id)) return { status: 'OngoingAuthorizedTransaction' };
    if (!c.info.hasLock) return { status: 'UnlockFailed', statusInfo: { reasonCode: 'NoLock', additionalInfo: 'connector has no lock' } };
    const result = await sessions.unlock(c.info.id);
    return { status: result === 'unlocked' ? 'Unlocked' : 'UnlockFailed' };
  });

  rpc.handle('DataTransfer', (req) => {
    log.info({ vendorId: req.vendorId, messageId: req.messageId }, 'DataTransfer for an unknown vendor');
    return { status: 'UnknownVendorId' };
  });
}
