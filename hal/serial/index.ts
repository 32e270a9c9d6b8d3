/**
 * The `serial` hardware driver: OpenEVSE controllers over RAPI, Eastron meters over Modbus RTU,
 * optional serial card readers.
 *
 * Owns: the public surface of hal/serial (what src/main.ts, evsectl diagnostics and tests use).
 * Must not: export internals beyond what those users need.
 */
export { createSerialBoard } from './board.js';
export type { SerialBoard, SerialBoardDiagnostics, SerialBoardOptions } from './board.js';
export { SerialConnector } from './connector.js';
export type { SerialConnectorDiagnostics } from './connector.js';
export type { ListenerErrorHandler } from '../events.js';
export { resolveSerialConfig, SERIAL_DEFAULTS } from './options.js';
export type {
  ModbusMeterConfig,
  RapiControllerConfig,
  ResolvedSerialConfig,
  SerialConnectorConfig,
  SerialHardwareConfig,
  SerialReaderConfig,
} from './options.js';
export { SerialPortOwner, ownedPorts, PARITIES } from './port.js';
export type { ByteChannel, Parity, PortCounters, PortOwnerOptions, PortStatus, SerialLineSettings } from './port.js';
export { METER_MAPS, METER_MODELS, SDM_REGISTERS } from './modbus/registers.js';
export type { MeterModel } from './modbus/registers.js';
export { EVSE_STATE, EVSE_STATE_TABLE, VFLAG, interpretStatus } from './rapi/states.js';
export type { RapiStatus, RapiView } from './rapi/states.js';
export { SEQUENCE_ID_MODES } from './rapi/controller.js';
export type { SequenceIdMode } from './rapi/controller.js';
export { encodeRapi, parseRapiLine, xorChecksum, additiveChecksum } from './rapi/protocol.js';
export type { RapiFrame, RapiGarbleReason, RapiParse } from './rapi/protocol.js';
