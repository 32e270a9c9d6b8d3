/**
 * OCPP 2.0.1 reservations (functional block H): ReserveNow (EVSE-specific, connector type, and
 * not EVSE-specific when ReservationCtrlr.NonEvseSpecific), CancelReservation, and
 * ReservationStatusUpdate when a reservation expires or is removed (H01.FR.09/10, H04).
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import type { ReserveResult } from '../../domain/reservations.js';
import type { ReserveNowResponse, V201CsmsToCs, V201CsToCsms } from '../schemas/generated/v201/types.js';

const STATUS: Record<ReserveResult, ReserveNowResponse['status']> = {
  accepted: 'Accepted',
  faulted: 'Faulted',
  occupied: 'Occupied',
  rejected: 'Rejected',
  unavailable: 'Unavailable',
};

export function registerV201Reservation(ctx: AdapterContext, rpc: TypedRpc<V201CsToCsms, V201CsmsToCs>): () => void {
  const { reservations, runtime, clock, settings } = ctx.services;
  const log = ctx.log.child({ component: 'reservations' });
  const enabled = () => !settings.has('ReservationEnabled') || settings.bool('ReservationEnabled');

  rpc.handle('ReserveNow', (req) => {
    if (!enabled()) return { status: 'Rejected', statusInfo: { reasonCode: 'Disabled' } };
    const expiryMs = Date.parse(req.expiryDateTime);
    if (!Number.isFinite(expiryMs) || expiryMs <= clock.now()) return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: 'expiryDateTime in the past' } };
    let connector = 0;
    if (req.evseId !== undefined && req.evseId > 0) {
      const ofEvse = runtime.connectors.filter((c) => c.info.evseId === req.evseId);
      if (ofEvse.length === 0) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
      const match = req.connectorType ? ofEvse.find((c) => c.info.type === req.connectorType) : ofEvse[0];
      if (!match) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownConnectorType' } };
      connector = match.info.id;
    } else if (req.connectorType && !runtime.connectors.some((c) => c.info.type === req.connectorType)) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownConnectorType' } };
    }
    const result = reservations.reserve({
      id: req.id,
      connector,
      token: req.idToken.idToken,
      group: req.groupIdToken?.idToken ?? null,
      expiryMs,
    });
    return { status: STATUS[result] };
  });

  rpc.handle('CancelReservation', (req) => ({ status: reservations.cancel(req.reservationId) ? 'Accepted' : 'Rejected' }));

  return reservations.onEnded((r, why) => {
    if (why !== 'expired' && why !== 'removed') return;
    if (!ctx.canSend()) return;
    rpc
      .call('ReservationStatusUpdate', { reservationId: r.id, reservationUpdateStatus: why === 'expired' ? 'Expired' : 'Removed' })
      .catch((err: Error) => log.warn({ err, reservation: r.id }, 'ReservationStatusUpdate not delivered'));
  });
}
