/**
 * Fault bookkeeping of the serial board (event delivery is hal/events.ts, shared by every board).
 *
 * Owns: the FaultBook: a fault code may be held by several sources at once (the controller's state, the
 * contactor supervision, the link, the meter); `hal.faultRaised` goes out when the first source
 * raises it, `hal.faultCleared` when the last one lets go.
 *
 * Must not: filter or transform events.
 */
import { FAULT_CODES } from '../types.js';
import type { FaultCode, HalEvent } from '../types.js';

/** Who holds a fault. */
export type FaultSource = 'controller' | 'feedback' | 'link' | 'meter';

export class FaultBook {
  private readonly held = new Map<FaultCode, Set<FaultSource>>();

  constructor(
    private readonly connector: number,
    private readonly emit: (event: HalEvent) => void,
  ) {}

  raise(code: FaultCode, source: FaultSource, detail?: string): void {
    const sources = this.held.get(code);
    if (sources) {
      sources.add(source);
      return;
    }
    this.held.set(code, new Set([source]));
    this.emit(
      detail === undefined
        ? { type: 'hal.faultRaised', connector: this.connector, code }
        : { type: 'hal.faultRaised', connector: this.connector, code, detail },
    );
  }

  clear(code: FaultCode, source: FaultSource): void {
    const sources = this.held.get(code);
    if (!sources || !sources.delete(source)) return;
    if (sources.size > 0) return;
    this.held.delete(code);
    this.emit({ type: 'hal.faultCleared', connector: this.connector, code });
  }

  /** Make `source` hold exactly `codes` (raising and clearing the difference). */
  set(source: FaultSource, codes: readonly FaultCode[], detail?: string): void {
    for (const [code, sources] of [...this.held]) {
      if (sources.has(source) && !codes.includes(code)) this.clear(code, source);
    }
    for (const code of codes) this.raise(code, source, detail);
  }

  has(code: FaultCode, source?: FaultSource): boolean {
    const sources = this.held.get(code);
    return sources !== undefined && (source === undefined || sources.has(source));
  }

  codes(): FaultCode[] {
    return FAULT_CODES.filter((code) => this.held.has(code));
  }
}
