/**
 * OCPP 1.6 Reservation profile (1.6 §5.13, §5.4, §3.11): ReserveNow and CancelReservation on the
 * version-neutral ReservationService.
 */
import type { AdapterContext, TypedRpc } from '../adapter.js';
import type { ReserveNowResponse, V16CsmsToCs, V16CsToCsms } from '../schemas/generated/v16/types.js';
import type { ReserveResult } from '../../domain/reservations.js';

const RESERVE_STATUS: Record<ReserveResult, ReserveNowResponse['status']> = {
  accepted: 'Accepted',
  faulted: 'Faulted',
  occupied: 'Occupied',
  rejected: 'Rejected',
  unavailable: 'Unavailable',
};

export function registerV16Reservation(ctx: AdapterContext, rpc: TypedRpc<V16CsToCsms, V16CsmsToCs>): void {
  const { reservations, clock } = ctx.services;

  rpc.handle('ReserveNow', (req) => {
    const expiryMs = Date.parse(req.expiryDate);
    if (!Number.isFinite(expiryMs) || expiryMs <= clock.now()) return { status: 'Rejected' };
    const result = reservations.reserve({
      id: req.reservationId,
      connector: req.connectorId,
      token: req.idTag,
      group: req.parentIdTag ?? null,
      expiryMs,
    });
    return { status: RESERVE_STATUS[result] };
  });

  rpc.handle('CancelReservation', (req) => ({
    status: reservations.cancel(req.reservationId) ? 'Accepted' : 'Rejected',
  }));
}
