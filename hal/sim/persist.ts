/**
 * Keeping the simulated board's physical state across evsed restarts, as real hardware keeps it:
 * an EV stays plugged in (with its state of charge) and the meter register keeps its count while
 * evsed is down. Without it every restart of evsed would look like the EV left and the meter was
 * replaced.
 *
 * Owns: the state file (JSON, written atomically: temp file + rename) — read at start, written
 * on every pilot change and every `everyMs` while the board runs. Must not: be used by real
 * drivers (their hardware keeps its own state).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SimEvSnapshot } from './ev.js';
import type { SimBoard } from './board.js';

export interface SimPersistedState {
  version: 1;
  connectors: Array<{ connector: number; energyWh: number; ev: SimEvSnapshot | null }>;
}

/** The saved state, or null when there is none (or it cannot be read: a fresh board). */
export function readSimState(file: string): SimPersistedState | null {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as SimPersistedState;
    return state.version === 1 && Array.isArray(state.connectors) ? state : null;
  } catch {
    return null;
  }
}

/** Meter registers to start the board with. */
export function initialEnergyFrom(state: SimPersistedState | null): Record<number, number> {
  const out: Record<number, number> = {};
  for (const c of state?.connectors ?? []) if (Number.isFinite(c.energyWh) && c.energyWh >= 0) out[c.connector] = c.energyWh;
  return out;
}

/** Put the EVs back (after board.start()): plugged, with their charge, paused or full as they were. */
export async function restoreEvs(board: SimBoard, state: SimPersistedState | null): Promise<void> {
  for (const c of state?.connectors ?? []) {
    if (!c.ev || !board.connectors.some((x) => x.info.id === c.connector)) continue;
    const soc = c.ev.batteryWh > 0 ? (c.ev.storedWh / c.ev.batteryWh) * 100 : c.ev.socPercent;
    await board.controls.plug(c.connector, {
      maxCurrentA: c.ev.maxCurrentA,
      phases: c.ev.phases,
      batteryWh: c.ev.batteryWh,
      socPercent: Math.min(100, Math.max(0, soc)),
      targetSocPercent: c.ev.targetSocPercent,
    });
    if (c.ev.full) await board.controls.evFull(c.connector);
    else if (c.ev.paused) await board.controls.evPause(c.connector);
  }
}

/** Write the board's state: meter registers read now, EVs as last seen (`evs`). */
export function writeSimState(board: SimBoard, file: string, evs: ReadonlyMap<number, SimEvSnapshot | null>): void {
  const state: SimPersistedState = {
    version: 1,
    connectors: board.connectors.map((c) => ({
      connector: c.info.id,
      energyWh: c.meter().energyWh,
      ev: evs.get(c.info.id) ?? null,
    })),
  };
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}

/** Write the state on every pilot change and every `everyMs`; `stop()` writes a last time. */
export function persistSimState(board: SimBoard, file: string, everyMs = 500): { stop(): void } {
  const evs = new Map<number, SimEvSnapshot | null>();
  const refresh = async () => {
    const all = await board.controls.snapshotAll();
    for (const c of all.connectors) evs.set(c.connector, c.ev);
    writeSimState(board, file, evs);
  };
  // A failed write keeps the previous file, which stays consistent (atomic rename).
  const safeRefresh = () => void refresh().catch(() => undefined);
  const off = board.on((e) => {
    if (e.type === 'hal.cpChanged') safeRefresh();
  });
  const timer = setInterval(safeRefresh, everyMs);
  timer.unref();
  safeRefresh();
  return {
    stop() {
      off();
      clearInterval(timer);
      try {
        writeSimState(board, file, evs);
      } catch {
        // The last periodic write stands.
      }
    },
  };
}
