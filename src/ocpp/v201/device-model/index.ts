/**
 * OCPP 2.0.1 device model: public API for the 2.0.1 adapter (handlers) and evsectl (listing,
 * technician writes).
 *
 * Owns: what other modules may import from this folder. Must not: contain logic.
 */
export { DeviceModel } from './device-model.js';
export type { DeviceModelOptions, GetOutcome, SetOutcome, Target } from './device-model.js';
export { registerV201DeviceModel } from './handlers.js';
export { listVariables, setFromTechnician } from './technician.js';
export type { TechnicianSetResult, VariableListing } from './technician.js';
export { formatAddress, parseAddress } from './address.js';
export type { Address } from './address.js';
export { DM_LIMITS, DeviceModelCatalogError } from './model.js';
export type { AttributeType, ComponentDef, DataType, Mutability, ValueSource, VariableDef } from './model.js';
export { baseReport, customReport, describe, notifyReports } from './reports.js';
