/**
 * OCPP 2.0.1 availability (functional block G): ChangeAvailability for the station, an EVSE or a
 * connector (Scheduled while a transaction runs, persisted, G03/G04), and the connector statuses
 * after an outage: all of them when it lasted longer than OfflineThreshold, only the changed ones
 * otherwise (B04.FR.01/02).
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import type { V201CsmsToCs, V201CsToCsms } from '../schemas/generated/v201/types.js';

export function registerV201Availability(ctx: AdapterContext, rpc: TypedRpc<V201CsToCsms, V201CsmsToCs>): void {
  const { runtime, transactions } = ctx.services;

  rpc.handle('ChangeAvailability', (req) => {
    const operative = req.operationalStatus === 'Operative';
    const evse = req.evse;
    const affected = runtime.connectors.filter(
      (c) => !evse || (c.info.evseId === evse.id && (evse.connectorId === undefined || c.info.connectorId === evse.connectorId)),
    );
    if (evse && affected.length === 0) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
    const busy = !operative && affected.some((c) => c.view().authorized || transactions.active(c.info.id));
    if (!evse) runtime.setOperative(0, operative);
    else for (const c of affected) runtime.setOperative(c.info.id, operative);
    return { status: busy ? 'Scheduled' : 'Accepted' };
  });
}
