/**
 * Version-neutral meter samples: what the station measured, when, and why it was sampled.
 *
 * Measurand names are the ones OCPP and IEC 61850 share (`Energy.Active.Import.Register` …);
 * the sampling reason (`context`) uses evsed's own words, mapped to each protocol's enum in
 * src/ocpp/. Units live in the values.
 */
import type { Measurand } from './settings-catalog.js';

/** Why a sample was taken. */
export type MeterContext =
  | 'periodic' // MeterValueSampleInterval / SampledDataCtrlr.TxUpdatedInterval
  | 'clock' // ClockAlignedDataInterval / AlignedDataCtrlr.Interval
  | 'transactionBegin'
  | 'transactionEnd'
  | 'trigger' // asked for by the CSMS
  | 'interruptionBegin'
  | 'interruptionEnd'
  | 'other';

export type MeterPhase = 'L1' | 'L2' | 'L3' | 'L1-N' | 'L2-N' | 'L3-N';
export type MeterUnit = 'Wh' | 'W' | 'A' | 'V' | 'Percent';

export interface SampledValue {
  measurand: Measurand;
  value: number;
  unit: MeterUnit;
  phase?: MeterPhase;
  /** Where it was measured: the outlet (default) or reported by the EV (SoC). */
  location?: 'Outlet' | 'EV';
}

export interface MeterSample {
  /** Station time (CSMS-synchronised clock), ms since the epoch. */
  timestampMs: number;
  context: MeterContext;
  values: SampledValue[];
}
