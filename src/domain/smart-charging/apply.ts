/**
 * The limit to apply to every connector at one instant: each connector's composite
 * (composite.ts evaluateAt), then the station-wide limits shared between the connectors that
 * have a session (allocation.ts). Pure; the runtime (service.ts) sends the result to the
 * connector statecharts.
 * Must not: touch connectors, timers or storage.
 */
import { shareStationCaps } from './allocation.js';
import { evaluateAt, type CompositeOptions, type ConnectorContext, type LimitBreakdown, type LimitOrigin } from './composite.js';
import type { ChargingProfile } from './model.js';

export interface ConnectorNow {
  ctx: ConnectorContext;
  /** A session runs: the connector may draw current now. */
  active: boolean;
  /** Session start (first come, first served when the station limit is short), ms. */
  sinceMs: number;
}

export interface LimitToApply {
  connector: number;
  /** A per phase, rounded down to 0.1 A. */
  limitA: number;
  /** Lowered below the connector's own composite to share a station-wide limit. */
  shared: boolean;
  /** What set it: the connector's own limit, or the station-wide limit that is shared. */
  origin: LimitOrigin | null;
  breakdown: LimitBreakdown;
}

export function limitsToApply(
  profiles: readonly ChargingProfile[],
  connectors: readonly ConnectorNow[],
  atMs: number,
  options: CompositeOptions = {},
): LimitToApply[] {
  const items = connectors.map((c) => ({ ...c, b: evaluateAt(profiles, c.ctx, atMs, options) }));
  // The station-wide limits are the same for every connector.
  const station = items[0]?.b.station;
  const shares = shareStationCaps(
    items.map(({ ctx, b, active, sinceMs }) => ({
      connector: ctx.connector,
      demandA: b.limitA,
      phases: ctx.phases,
      nominalVoltageV: ctx.nominalVoltageV,
      active,
      sinceMs,
    })),
    { amps: station?.amps ?? Infinity, watts: station?.watts ?? Infinity },
  );
  return items.map(({ ctx, b }) => {
    const limitA = Math.min(b.limitA, shares.get(ctx.connector) ?? b.limitA);
    const shared = limitA < b.limitA;
    return {
      connector: ctx.connector,
      limitA,
      shared,
      origin: shared ? (b.station.ampsOrigin ?? b.station.wattsOrigin) : b.origin,
      breakdown: b,
    };
  });
}
