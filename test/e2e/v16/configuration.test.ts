/**
 * OCPP 1.6 GetConfiguration / ChangeConfiguration end to end (16 §5.3, §5.8, §9): which keys are
 * reported with which access, unknown keys, the answers to bad changes, persistence across a
 * restart, and changes that take effect at once (HeartbeatInterval).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callsSince, sleep } from '../../support/station.js';
import { eventually } from '../../support/evsed.js';
import { disposeRig, restart, startRig, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('1.6 configuration');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

/** 1.6 §9: the keys a Charge Point of the profiles evsed supports must have, with their access. */
const REQUIRED_KEYS: Record<string, 'R' | 'RW' | 'R or RW'> = {
  // Core (§9.1)
  AuthorizeRemoteTxRequests: 'R or RW',
  ClockAlignedDataInterval: 'RW',
  ConnectionTimeOut: 'RW',
  ConnectorPhaseRotation: 'RW',
  GetConfigurationMaxKeys: 'R',
  HeartbeatInterval: 'RW',
  LocalAuthorizeOffline: 'RW',
  LocalPreAuthorize: 'RW',
  MeterValuesAlignedData: 'RW',
  MeterValuesSampledData: 'RW',
  MeterValueSampleInterval: 'RW',
  NumberOfConnectors: 'R',
  ResetRetries: 'RW',
  StopTransactionOnEVSideDisconnect: 'RW',
  StopTransactionOnInvalidId: 'RW',
  StopTxnAlignedData: 'RW',
  StopTxnSampledData: 'RW',
  SupportedFeatureProfiles: 'R',
  TransactionMessageAttempts: 'RW',
  TransactionMessageRetryInterval: 'RW',
  UnlockConnectorOnEVSideDisconnect: 'RW',
  // Local Auth List Management (§9.2)
  LocalAuthListEnabled: 'RW',
  LocalAuthListMaxLength: 'R',
  SendLocalListMaxLength: 'R',
};

/** 1.6 §9: optional keys that are read-only when present. */
const READ_ONLY_OPTIONAL = [
  'ConnectorPhaseRotationMaxLength',
  'MeterValuesAlignedDataMaxLength',
  'MeterValuesSampledDataMaxLength',
  'StopTxnAlignedDataMaxLength',
  'StopTxnSampledDataMaxLength',
  'SupportedFeatureProfilesMaxLength',
  'ReserveConnectorZeroSupported',
];

/** 1.6 §9: optional keys that are read-write when present. */
const READ_WRITE_OPTIONAL = [
  'AllowOfflineTxForUnknownId',
  'AuthorizationCacheEnabled',
  'MaxEnergyOnInvalidId',
  'MinimumStatusDuration',
  'WebSocketPingInterval',
];

interface KeyValue {
  key: string;
  readonly: boolean;
  value?: string;
}

async function getAll(rig: Rig): Promise<Map<string, KeyValue>> {
  const answer = await rig.csms.call('GetConfiguration', {});
  assert.is(answer.unknownKey, undefined);
  const keys = answer.configurationKey as KeyValue[];
  assert.is(new Set(keys.map((k) => k.key)).size, keys.length, 'a key reported twice');
  return new Map(keys.map((k) => [k.key, k]));
}

async function valueOf(rig: Rig, key: string): Promise<string | undefined> {
  const answer = await rig.csms.call('GetConfiguration', { key: [key] });
  return answer.configurationKey?.[0]?.value;
}

test('16 §5.8 / §9 - GetConfiguration without keys: every required key, with the access the spec gives it', async (c) => {
  const rig = (c.rig = await startRig({ settings: { ConnectionTimeOut: 45 } }));
  const all = await getAll(rig);
  for (const [key, access] of Object.entries(REQUIRED_KEYS)) {
    const kv = all.get(key);
    assert.ok(kv, `required key ${key} missing`);
    assert.is(typeof kv!.value, 'string', `${key} has no value`);
    if (access === 'R') assert.is(kv!.readonly, true, `${key} must be read-only`);
    if (access === 'RW') assert.is(kv!.readonly, false, `${key} must be read-write`);
  }
  for (const key of READ_ONLY_OPTIONAL) if (all.has(key)) assert.is(all.get(key)!.readonly, true, `${key} must be read-only`);
  for (const key of READ_WRITE_OPTIONAL) if (all.has(key)) assert.is(all.get(key)!.readonly, false, `${key} must be read-write`);
  assert.is(all.get('NumberOfConnectors')!.value, '2');
  assert.is(all.get('ConnectionTimeOut')!.value, '45', 'commissioning value from the config file');
  assert.is(all.get('MeterValueSampleInterval')!.value, '0');
  assert.is(all.get('ReserveConnectorZeroSupported')!.value, 'true');
  const profiles = all.get('SupportedFeatureProfiles')!.value!.split(',');
  assert.equal(profiles, ['Core', 'LocalAuthListManagement', 'Reservation', 'RemoteTrigger', 'SmartCharging']);
  const maxKeys = Number(all.get('GetConfigurationMaxKeys')!.value);
  assert.ok(Number.isInteger(maxKeys) && maxKeys >= 1, `GetConfigurationMaxKeys ${maxKeys}`);
  // CSL values are comma separated without spaces (16 §9 "comma separated list").
  assert.is(all.get('MeterValuesSampledData')!.value, 'Energy.Active.Import.Register,Power.Active.Import');
  assert.equal(rig.csms.violations(), []);
});

test('16 §5.8 - GetConfiguration of some keys: those in configurationKey (asked order), the unknown ones in unknownKey', async (c) => {
  const rig = (c.rig = await startRig());
  const answer = await rig.csms.call('GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey', 'NumberOfConnectors', 'AlsoUnknown'] });
  assert.equal(
    answer.configurationKey.map((k: KeyValue) => [k.key, k.readonly]),
    [['HeartbeatInterval', false], ['NumberOfConnectors', true]],
  );
  assert.is(answer.configurationKey[1].value, '2');
  assert.equal(answer.unknownKey, ['NoSuchKey', 'AlsoUnknown']);
  const none = await rig.csms.call('GetConfiguration', { key: ['Nope'] });
  assert.equal(none, { unknownKey: ['Nope'] });
});

test('16 §5.3 - ChangeConfiguration Accepted: the new value is reported and survives a restart (over the config file value)', async (c) => {
  const rig = (c.rig = await startRig({ settings: { ConnectionTimeOut: 45 } }));
  const { csms } = rig;
  assert.equal(await csms.call('ChangeConfiguration', { key: 'ConnectionTimeOut', value: '77' }), { status: 'Accepted' });
  assert.equal(await csms.call('ChangeConfiguration', { key: 'LocalPreAuthorize', value: 'true' }), { status: 'Accepted' });
  assert.equal(
    await csms.call('ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'Energy.Active.Import.Register,Voltage' }),
    { status: 'Accepted' },
  );
  assert.is(await valueOf(rig, 'ConnectionTimeOut'), '77');
  await restart(rig);
  const all = await getAll(rig);
  assert.is(all.get('ConnectionTimeOut')!.value, '77');
  assert.is(all.get('LocalPreAuthorize')!.value, 'true');
  assert.is(all.get('MeterValuesSampledData')!.value, 'Energy.Active.Import.Register,Voltage');
});

test('16 §5.3 - ChangeConfiguration: read-only → Rejected, bad type or range → Rejected, unknown key → NotSupported; values unchanged', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  const cases: Array<[string, string, string]> = [
    ['NumberOfConnectors', '3', 'Rejected'],
    ['SupportedFeatureProfiles', 'Core', 'Rejected'],
    ['GetConfigurationMaxKeys', '5', 'Rejected'],
    ['HeartbeatInterval', 'often', 'Rejected'],
    ['HeartbeatInterval', '-5', 'Rejected'],
    ['HeartbeatInterval', '1.5', 'Rejected'],
    ['LocalPreAuthorize', 'yes', 'Rejected'],
    ['MeterValuesSampledData', 'Energy.Active.Import.Register,Temperature', 'Rejected'],
    ['MeterValuesSampledData', 'NotAMeasurand', 'Rejected'],
    ['NoSuchKey', '1', 'NotSupported'],
  ];
  for (const [key, value, expected] of cases) {
    assert.equal(await csms.call('ChangeConfiguration', { key, value }), { status: expected }, `${key}=${value}`);
  }
  const all = await getAll(rig);
  assert.is(all.get('NumberOfConnectors')!.value, '2');
  assert.is(all.get('HeartbeatInterval')!.readonly, false);
  assert.is(all.get('LocalPreAuthorize')!.value, 'false');
  assert.is(all.get('MeterValuesSampledData')!.value, 'Energy.Active.Import.Register,Power.Active.Import');
  assert.not.ok(all.has('NoSuchKey'));
});

test('16 §4.6, §9.1.11 - a changed HeartbeatInterval is used at once', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  await sleep(300);
  const mark = csms.mark();
  assert.equal(await csms.call('ChangeConfiguration', { key: 'HeartbeatInterval', value: '2' }), { status: 'Accepted' });
  const changedAt = Date.now();
  await eventually(() => callsSince(csms, 'Heartbeat', mark).length >= 2, 6000, 'two heartbeats');
  const at = callsSince(csms, 'Heartbeat', mark).map((m) => m.at);
  assert.ok(at[0]! - changedAt >= 1500 && at[0]! - changedAt <= 3200, `first Heartbeat ${at[0]! - changedAt} ms after the change`);
  assert.ok(at[1]! - at[0]! >= 1500 && at[1]! - at[0]! <= 3200, `then ${at[1]! - at[0]!} ms later`);
  assert.is(await valueOf(rig, 'HeartbeatInterval'), '2');
});

test('16 §9.1.17 - MeterValuesSampledData with a measurand the meter cannot measure: Rejected, then a supported set is used in MeterValues', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  assert.equal(await csms.call('ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'Temperature' }), { status: 'Rejected' });
  assert.equal(await csms.call('ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'Voltage,Current.Import' }), { status: 'Accepted' });
  const mark = csms.mark();
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 }), { status: 'Accepted' });
  const mv = await csms.waitForCall('MeterValues', { since: mark });
  const measurands = new Set((mv.payload.meterValue[0].sampledValue as any[]).map((v) => v.measurand));
  assert.equal([...measurands].sort(), ['Current.Import', 'Voltage']);
});

test.run();
