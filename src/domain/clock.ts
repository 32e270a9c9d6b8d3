/**
 * The station clock: wall time as the management system sees it.
 *
 * Owns: the offset between the system clock and the time the CSMS reports (BootNotification /
 * Heartbeat `currentTime`), so timestamps in messages agree with the CSMS even on a board whose
 * RTC is wrong, without changing the system clock (which needs root and upsets other services).
 * Must not: schedule work (timers use the runtime's own timers or XState delays).
 */

export interface Clock {
  /** Wall time, ms since the epoch, corrected by the last synchronisation. */
  now(): number;
  /** ISO 8601 UTC with milliseconds, e.g. `2026-11-21T10:00:00.000Z`. */
  isoNow(): string;
  /** Adopt the management system's time; returns the correction applied, ms. */
  synchronise(serverTime: string | number): number;
  /** Current correction, ms (server minus system). */
  offsetMs(): number;
}

export function createClock(system: () => number = Date.now): Clock {
  let offset = 0;
  const now = () => system() + offset;
  return {
    now,
    isoNow: () => new Date(now()).toISOString(),
    synchronise(serverTime) {
      const serverMs = typeof serverTime === 'number' ? serverTime : Date.parse(serverTime);
      if (!Number.isFinite(serverMs)) return 0;
      const before = offset;
      offset = serverMs - system();
      return offset - before;
    },
    offsetMs: () => offset,
  };
}
