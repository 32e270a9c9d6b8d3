/**
 * Two views of the same settings and persistence: a value set through a 2.0.1 variable is the
 * value of the 1.6 key (and the other way round, through the real 1.6 GetConfiguration /
 * ChangeConfiguration handlers); values survive reopening the database; the device model store
 * on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AdapterContext, TypedRpc } from '../../../../src/ocpp/adapter.js';
import type { V16CsmsToCs, V16CsToCsms } from '../../../../src/ocpp/schemas/generated/v16/types.js';
import { registerV16Configuration } from '../../../../src/ocpp/v16/configuration.js';
import { openDatabase } from '../../../../src/store/db.js';
import { createDeviceModelStore, type DeviceModelAddress } from '../../../../src/store/device-model.js';
import { startRig, withRig, type Rig } from './rig.js';

/** The 1.6 configuration handlers on a fake 1.6 rpc. */
function v16Configuration(rig: Rig) {
  const handlers = new Map<string, (p: unknown) => unknown>();
  const rpc = {
    call: async () => ({}),
    handle: (a: string, h: (p: unknown) => unknown) => void handlers.set(a, h),
    removeAll: () => handlers.clear(),
  } as unknown as TypedRpc<V16CsToCsms, V16CsmsToCs>;
  const ctx = { log: pino({ level: 'silent' }), services: { settings: rig.settings } } as unknown as AdapterContext;
  registerV16Configuration(ctx, rpc);
  return {
    get: (keys: string[]) => handlers.get('GetConfiguration')!({ key: keys }) as V16CsmsToCs['GetConfiguration']['response'],
    change: (key: string, value: string) =>
      handlers.get('ChangeConfiguration')!({ key, value }) as V16CsmsToCs['ChangeConfiguration']['response'],
  };
}

test(
  'set through 2.0.1, read through 1.6: the same setting entries',
  withRig((rig) => {
    const { dm } = rig;
    const v16 = v16Configuration(rig);
    const writes: Array<[{ name: string }, { name: string; instance?: string }, string, string, string]> = [
      [{ name: 'OCPPCommCtrlr' }, { name: 'HeartbeatInterval' }, '120', 'HeartbeatInterval', '120'],
      [
        { name: 'OCPPCommCtrlr' },
        { name: 'MessageAttempts', instance: 'TransactionEvent' },
        '7',
        'TransactionMessageAttempts',
        '7',
      ],
      [
        { name: 'OCPPCommCtrlr' },
        { name: 'MessageAttemptInterval', instance: 'TransactionEvent' },
        '15',
        'TransactionMessageRetryInterval',
        '15',
      ],
      [{ name: 'TxCtrlr' }, { name: 'EVConnectionTimeOut' }, '90', 'ConnectionTimeOut', '90'],
      [{ name: 'TxCtrlr' }, { name: 'StopTxOnInvalidId' }, 'false', 'StopTransactionOnInvalidId', 'false'],
      [{ name: 'SampledDataCtrlr' }, { name: 'TxUpdatedInterval' }, '30', 'MeterValueSampleInterval', '30'],
      [
        { name: 'AlignedDataCtrlr' },
        { name: 'Measurands' },
        'Power.Active.Import,Voltage',
        'MeterValuesAlignedData',
        'Power.Active.Import,Voltage',
      ],
      [{ name: 'AuthCtrlr' }, { name: 'AuthorizeRemoteStart' }, 'true', 'AuthorizeRemoteTxRequests', 'true'],
      [{ name: 'AuthCtrlr' }, { name: 'OfflineTxForUnknownIdEnabled' }, 'true', 'AllowOfflineTxForUnknownId', 'true'],
      [{ name: 'AuthCacheCtrlr' }, { name: 'Enabled' }, 'false', 'AuthorizationCacheEnabled', 'false'],
      [{ name: 'LocalAuthListCtrlr' }, { name: 'Enabled' }, 'false', 'LocalAuthListEnabled', 'false'],
      [{ name: 'TxCtrlr' }, { name: 'TxStartPoint' }, 'Authorized', 'TxStartPoint', 'Authorized'],
    ];
    for (const [component, variable, value, key, expected] of writes) {
      assert.is(dm.set(component, variable, value).status, 'Accepted', key);
      assert.equal(v16.get([key]).configurationKey, [{ key, readonly: false, value: expected }], key);
    }
  }),
);

test(
  'set through 1.6 ChangeConfiguration, read through 2.0.1; a change reaches Settings listeners once',
  withRig((rig) => {
    const { dm, settings } = rig;
    const v16 = v16Configuration(rig);
    const seen: Array<[string, unknown]> = [];
    settings.onChange((key, value) => seen.push([key, value]));
    assert.equal(v16.change('WebSocketPingInterval', '45'), { status: 'Accepted' });
    assert.is(dm.get({ name: 'OCPPCommCtrlr' }, { name: 'WebSocketPingInterval' }).value, '45');
    assert.equal(v16.change('StopTxnAlignedData', 'Energy.Active.Import.Register'), { status: 'Accepted' });
    assert.is(dm.get({ name: 'AlignedDataCtrlr' }, { name: 'TxEndedMeasurands' }).value, 'Energy.Active.Import.Register');
    assert.is(dm.set({ name: 'OCPPCommCtrlr' }, { name: 'RetryBackOffWaitMinimum' }, '9').status, 'Accepted');
    assert.equal(seen, [
      ['WebSocketPingInterval', 45],
      ['StopTxnAlignedData', ['Energy.Active.Import.Register']],
      ['RetryBackOffWaitMinimum', 9],
    ]);
  }),
);

test(
  'v201Only settings stay out of a full 1.6 GetConfiguration; BasicAuthPassword never appears in it',
  withRig((rig) => {
    const v16 = v16Configuration(rig);
    assert.is(rig.dm.set({ name: 'SecurityCtrlr' }, { name: 'BasicAuthPassword' }, 'a-long-secret-password').status, 'Accepted');
    const keys = (v16.get([]).configurationKey ?? []).map((k) => k.key);
    assert.not.ok(keys.includes('TxStartPoint'));
    assert.not.ok(keys.includes('BasicAuthPassword'));
    assert.equal(v16.get(['BasicAuthPassword']), { unknownKey: ['BasicAuthPassword'] });
  }),
);

test('values survive reopening the database: settings-backed, stored, WriteOnly', async () => {
  const first = await startRig();
  try {
    assert.is(first.dm.set({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }, '77').status, 'Accepted');
    assert.is(first.dm.set({ name: 'TxCtrlr' }, { name: 'TxStopPoint' }, 'EVConnected').status, 'Accepted');
    assert.is(first.dm.set({ name: 'ClockCtrlr' }, { name: 'TimeZone' }, 'Asia/Singapore').status, 'Accepted');
    assert.is(first.dm.set({ name: 'SecurityCtrlr' }, { name: 'BasicAuthPassword' }, 'persisted-password-1').status, 'Accepted');
    await first.stop();
    const second = await startRig({ dir: first.dir });
    try {
      assert.is(second.dm.get({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }).value, '77');
      assert.is(second.dm.get({ name: 'TxCtrlr' }, { name: 'TxStopPoint' }).value, 'EVConnected');
      assert.is(second.dm.get({ name: 'ClockCtrlr' }, { name: 'TimeZone' }).value, 'Asia/Singapore');
      assert.is(second.settings.get('BasicAuthPassword'), 'persisted-password-1');
      assert.is(second.dm.get({ name: 'SecurityCtrlr' }, { name: 'BasicAuthPassword' }).status, 'Rejected');
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(first.dir, { recursive: true, force: true });
  }
});

test('commissioning values are the defaults; what the CSMS sets wins after a restart', async () => {
  const first = await startRig({ commissioning: { OfflineThreshold: 600 } });
  try {
    assert.is(first.dm.get({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }).value, '600');
    assert.is(first.dm.set({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }, '30').status, 'Accepted');
    await first.stop();
    const second = await startRig({ dir: first.dir, commissioning: { OfflineThreshold: 600 } });
    assert.is(second.dm.get({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }).value, '30');
    await second.stop();
  } finally {
    rmSync(first.dir, { recursive: true, force: true });
  }
});

test('a stored value that no longer passes its checks reads as the initial value', async () => {
  const rig = await startRig();
  try {
    const address: DeviceModelAddress = {
      component: 'ClockCtrlr',
      componentInstance: '',
      evseId: 0,
      connectorId: 0,
      variable: 'TimeZone',
      variableInstance: '',
      attribute: 'Actual',
    };
    createDeviceModelStore(rig.db).set(address, 'Not/AZone');
    assert.is(rig.dm.get({ name: 'ClockCtrlr' }, { name: 'TimeZone' }).value, '');
  } finally {
    await rig.stop();
    rmSync(rig.dir, { recursive: true, force: true });
  }
});

test('device model store: set / get / replace / delete / all, keyed by every address part', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evsed-dm-store-'));
  const db = openDatabase(dir);
  try {
    let t = 1000;
    const store = createDeviceModelStore(db, () => t);
    const a: DeviceModelAddress = {
      component: 'EVSE',
      componentInstance: '',
      evseId: 1,
      connectorId: 0,
      variable: 'Power',
      variableInstance: '',
      attribute: 'MaxSet',
    };
    const b: DeviceModelAddress = { ...a, evseId: 2 };
    assert.is(store.get(a), undefined);
    store.set(a, '11000');
    t = 2000;
    store.set(b, '7400');
    store.set(a, '22000');
    assert.is(store.get(a), '22000');
    assert.is(store.get({ ...a, attribute: 'Target' }), undefined);
    assert.equal(store.all(), [
      { address: a, value: '22000', updatedAtMs: 2000 },
      { address: b, value: '7400', updatedAtMs: 2000 },
    ]);
    store.delete(a);
    assert.equal(
      store.all().map((r) => r.address.evseId),
      [2],
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
