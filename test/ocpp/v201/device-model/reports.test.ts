/**
 * Device model reports: base reports (B07), custom reports with componentVariable and
 * componentCriteria (B08), what each entry carries, and splitting into NotifyReport messages.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReportDataType } from '../../../../src/ocpp/schemas/generated/v201/types.js';
import {
  baseReport,
  customReport,
  describe,
  formatAddress,
  notifyReports,
  type DeviceModel,
  type Target,
} from '../../../../src/ocpp/v201/device-model/index.js';
import { withRig } from './rig.js';

const addresses = (targets: readonly Target[]) => targets.map((t) => formatAddress(t));
const data = (dm: DeviceModel, targets: readonly Target[]) => targets.map((t) => describe(dm, t));

/** Required variables of the Core and Local Authorization List Management profiles (part 2 §2, CSV "yes", errata 2.57). */
const REQUIRED = [
  'OCPPCommCtrlr.ActiveNetworkProfile',
  'OCPPCommCtrlr.FileTransferProtocols',
  'OCPPCommCtrlr.MessageTimeout[Default]',
  'OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]',
  'OCPPCommCtrlr.MessageAttempts[TransactionEvent]',
  'OCPPCommCtrlr.NetworkConfigurationPriority',
  'OCPPCommCtrlr.NetworkProfileConnectionAttempts',
  'OCPPCommCtrlr.OfflineThreshold',
  'OCPPCommCtrlr.ResetRetries',
  'OCPPCommCtrlr.UnlockOnEVSideDisconnect',
  'DeviceDataCtrlr.BytesPerMessage[GetReport]',
  'DeviceDataCtrlr.BytesPerMessage[GetVariables]',
  'DeviceDataCtrlr.BytesPerMessage[SetVariables]',
  'DeviceDataCtrlr.ItemsPerMessage[GetReport]',
  'DeviceDataCtrlr.ItemsPerMessage[GetVariables]',
  'DeviceDataCtrlr.ItemsPerMessage[SetVariables]',
  'ClockCtrlr.DateTime',
  'ClockCtrlr.TimeSource',
  'SecurityCtrlr.CertificateEntries',
  'SecurityCtrlr.OrganizationName',
  'SecurityCtrlr.SecurityProfile',
  'AuthCtrlr.AuthorizeRemoteStart',
  'AuthCtrlr.LocalAuthorizeOffline',
  'AuthCtrlr.LocalPreAuthorize',
  'LocalAuthListCtrlr.BytesPerMessage',
  'LocalAuthListCtrlr.Entries',
  'LocalAuthListCtrlr.ItemsPerMessage',
  'TxCtrlr.EVConnectionTimeOut',
  'TxCtrlr.StopTxOnEVSideDisconnect',
  'TxCtrlr.StopTxOnInvalidId',
  'TxCtrlr.TxStartPoint',
  'TxCtrlr.TxStopPoint',
  'SampledDataCtrlr.TxEndedInterval',
  'SampledDataCtrlr.TxEndedMeasurands',
  'SampledDataCtrlr.TxStartedMeasurands',
  'SampledDataCtrlr.TxUpdatedInterval',
  'SampledDataCtrlr.TxUpdatedMeasurands',
  'AlignedDataCtrlr.Interval',
  'AlignedDataCtrlr.Measurands',
  'AlignedDataCtrlr.TxEndedInterval',
  'AlignedDataCtrlr.TxEndedMeasurands',
  'ChargingStation.Available',
  'ChargingStation.AvailabilityState',
  'ChargingStation.SupplyPhases',
  'EVSE[1].Available',
  'EVSE[1].AvailabilityState',
  'EVSE[1].Power',
  'EVSE[1].SupplyPhases',
  'EVSE[2].Power',
  'Connector[1,1].Available',
  'Connector[1,1].ConnectorType',
  'Connector[1,1].SupplyPhases',
  'Connector[2,2].ConnectorType',
];

test(
  'B07.FR.08 / TC_B_13_CS / TC_B_53_CS - FullInventory holds every required variable, with characteristics and valid list values',
  withRig(({ dm }) => {
    const full = baseReport(dm, 'FullInventory');
    const got = new Set(addresses(full));
    for (const a of REQUIRED) assert.ok(got.has(a), `missing ${a}`);
    assert.is(full.length, dm.entries().length);
    for (const entry of data(dm, full)) {
      const ch = entry.variableCharacteristics!;
      assert.is(ch.supportsMonitoring, false);
      if (['OptionList', 'MemberList', 'SequenceList'].includes(ch.dataType)) {
        assert.ok(ch.valuesList && ch.valuesList.length > 0, `${entry.variable.name} lacks valuesList`);
        const allowed = ch.valuesList.split(',');
        const value = entry.variableAttribute[0]!.value!;
        for (const member of value === '' ? [] : value.split(','))
          assert.ok(allowed.includes(member), `${entry.variable.name}: ${member}`);
      }
      if (entry.variableAttribute[0]!.mutability !== 'WriteOnly') assert.type(entry.variableAttribute[0]!.value, 'string');
    }
    const power = data(dm, full).find(
      (e) => e.component.name === 'EVSE' && e.component.evse?.id === 2 && e.variable.name === 'Power',
    )!;
    assert.equal(power.variableCharacteristics, { unit: 'W', dataType: 'decimal', maxLimit: 11_040, supportsMonitoring: false });
  }),
);

test(
  'describe(): every attribute with mutability, persistence and constancy; components and variables without empty fields',
  withRig(({ dm }) => {
    const [heartbeat] = customReport(dm, {
      componentVariable: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    assert.equal(describe(dm, heartbeat!), {
      component: { name: 'OCPPCommCtrlr' },
      variable: { name: 'HeartbeatInterval' },
      variableAttribute: [{ type: 'Actual', value: '300', mutability: 'ReadWrite', persistent: true, constant: false }],
      variableCharacteristics: { unit: 's', dataType: 'integer', minLimit: 1, maxLimit: 86_400, supportsMonitoring: false },
    } satisfies ReportDataType);
    const [state] = customReport(dm, {
      componentVariable: [
        { component: { name: 'Connector', evse: { id: 2, connectorId: 1 } }, variable: { name: 'AvailabilityState' } },
      ],
    });
    assert.equal(describe(dm, state!), {
      component: { name: 'Connector', evse: { id: 2, connectorId: 1 } },
      variable: { name: 'AvailabilityState' },
      variableAttribute: [{ type: 'Actual', value: 'Available', mutability: 'ReadOnly', persistent: false, constant: false }],
      variableCharacteristics: {
        dataType: 'OptionList',
        valuesList: 'Available,Occupied,Reserved,Unavailable,Faulted',
        supportsMonitoring: false,
      },
    });
    const [items] = customReport(dm, {
      componentVariable: [
        { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } },
      ],
    });
    assert.equal(describe(dm, items!).variable, { name: 'ItemsPerMessage', instance: 'GetReport' });
    assert.equal(describe(dm, items!).variableAttribute, [
      { type: 'Actual', value: '50', mutability: 'ReadOnly', persistent: true, constant: true },
    ]);
  }),
);

test(
  'B07.FR.07 / TC_B_12_CS - ConfigurationInventory: exactly the ReadWrite and WriteOnly variables; WriteOnly without value',
  withRig(({ dm }) => {
    const config = baseReport(dm, 'ConfigurationInventory');
    assert.ok(config.length > 30);
    assert.ok(config.every((t) => t.variable.mutability !== 'ReadOnly'));
    const writable = dm.entries().filter((t) => t.variable.mutability !== 'ReadOnly');
    assert.equal(addresses(config), addresses(writable));
    const password = data(dm, config).find((e) => e.variable.name === 'BasicAuthPassword')!;
    assert.equal(password.variableAttribute, [{ type: 'Actual', mutability: 'WriteOnly', persistent: true, constant: false }]);
    assert.ok(!addresses(config).includes('OCPPCommCtrlr.MessageTimeout[Default]'));
  }),
);

test(
  'B07.FR.09 / TC_B_14_CS - SummaryInventory: availability of station and EVSEs, connectors that differ, problems',
  withRig(async ({ dm, board }) => {
    assert.equal(addresses(baseReport(dm, 'SummaryInventory')), [
      'ChargingStation.AvailabilityState',
      'EVSE[1].AvailabilityState',
      'EVSE[2].AvailabilityState',
    ]);
    await board.controls.plug(2);
    await board.controls.raiseFault(1, 'rcd');
    const summary = baseReport(dm, 'SummaryInventory');
    assert.equal(addresses(summary), [
      'ChargingStation.AvailabilityState',
      'ChargingStation.Problem',
      'EVSE[1].AvailabilityState',
      'EVSE[1].Problem',
      'EVSE[2].AvailabilityState',
      'Connector[1,1].Problem',
      'Connector[2,2].AvailabilityState',
    ]);
    assert.equal(
      data(dm, summary).map((e) => e.variableAttribute[0]!.value),
      ['Occupied', 'true', 'Faulted', 'true', 'Occupied', 'true', 'Available'],
    );
  }),
);

test(
  'B08.FR.11 / TC_B_17_CS - componentVariable EVSE[1].AvailabilityState reports exactly that',
  withRig(({ dm }) => {
    const r = customReport(dm, {
      componentVariable: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } }],
    });
    assert.equal(addresses(r), ['EVSE[1].AvailabilityState']);
  }),
);

test(
  'B08.FR.21 / TC_B_54_CS - variable without instance reports every instance; TC_B_55_CS - with instance only that one',
  withRig(({ dm }) => {
    assert.equal(
      addresses(
        customReport(dm, {
          componentVariable: [{ component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage' } }],
        }),
      ),
      [
        'DeviceDataCtrlr.ItemsPerMessage[GetReport]',
        'DeviceDataCtrlr.ItemsPerMessage[GetVariables]',
        'DeviceDataCtrlr.ItemsPerMessage[SetVariables]',
      ],
    );
    assert.equal(
      addresses(
        customReport(dm, {
          componentVariable: [
            { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } },
          ],
        }),
      ),
      ['DeviceDataCtrlr.ItemsPerMessage[GetReport]'],
    );
  }),
);

test(
  'B08.FR.20 / B08.FR.22 / B08.FR.23 / TC_B_56_CS - no variable: all of them; EVSE id without connector: every connector; no EVSE: every EVSE',
  withRig(({ dm }) => {
    assert.equal(
      addresses(
        customReport(dm, { componentVariable: [{ component: { name: 'EVSE' }, variable: { name: 'AvailabilityState' } }] }),
      ),
      ['EVSE[1].AvailabilityState', 'EVSE[2].AvailabilityState'],
    );
    assert.equal(
      addresses(
        customReport(dm, {
          componentVariable: [{ component: { name: 'Connector', evse: { id: 2 } }, variable: { name: 'ConnectorType' } }],
        }),
      ),
      ['Connector[2,1].ConnectorType', 'Connector[2,2].ConnectorType'],
    );
    assert.equal(addresses(customReport(dm, { componentVariable: [{ component: { name: 'ReservationCtrlr' } }] })), [
      'ReservationCtrlr.Available',
      'ReservationCtrlr.Enabled',
      'ReservationCtrlr.NonEvseSpecific',
    ]);
    assert.equal(customReport(dm, { componentVariable: [{ component: { name: 'EVSE', evse: { id: 9 } } }] }), []);
    assert.equal(
      addresses(
        customReport(dm, {
          componentVariable: [
            { component: { name: 'authctrlr' }, variable: { name: 'LocalAuthorizationOffline' } },
            { component: { name: 'AuthCtrlr' }, variable: { name: 'LocalAuthorizeOffline' } },
          ],
        }),
      ),
      ['AuthCtrlr.LocalAuthorizeOffline'],
    );
  }),
);

test(
  'B08.FR.07–10 / B08.FR.13 / TC_B_16_CS - componentCriteria: Enabled, Available, Active, Problem, and several (OR)',
  withRig(async ({ dm, settings, board }) => {
    const components = (targets: readonly Target[]) => [...new Set(targets.map((t) => formatAddress(t).split('.')[0]))];
    const all = components(dm.entries());
    assert.equal(components(customReport(dm, { componentCriteria: ['Enabled'] })), all);
    settings.set('AuthEnabled', false);
    settings.set('ReservationEnabled', false);
    const enabled = components(customReport(dm, { componentCriteria: ['Enabled'] }));
    assert.equal(
      enabled,
      all.filter((c) => c !== 'AuthCtrlr' && c !== 'ReservationCtrlr'),
    );
    assert.equal(components(customReport(dm, { componentCriteria: ['Available'] })), all);
    assert.equal(components(customReport(dm, { componentCriteria: ['Active'] })), all);
    assert.equal(customReport(dm, { componentCriteria: ['Problem'] }), []);
    await board.controls.raiseFault(3, 'overCurrent');
    assert.equal(components(customReport(dm, { componentCriteria: ['Problem'] })), [
      'ChargingStation',
      'EVSE[2]',
      'Connector[2,2]',
    ]);
    assert.equal(
      components(customReport(dm, { componentCriteria: ['Problem', 'Enabled'] })),
      all.filter((c) => c !== 'AuthCtrlr' && c !== 'ReservationCtrlr'),
    );
  }),
);

test(
  'B08.FR.05 / TC_B_18_CS - criteria and componentVariable together: Available EVSE[1] reported, Problem gives an empty set',
  withRig(({ dm }) => {
    const cv = [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } }];
    assert.equal(addresses(customReport(dm, { componentCriteria: ['Available'], componentVariable: cv })), [
      'EVSE[1].AvailabilityState',
    ]);
    assert.equal(customReport(dm, { componentCriteria: ['Problem'], componentVariable: cv }), []);
  }),
);

test('B07.FR.10 / B08.FR.14 - notifyReports: seqNo from 0, tbc on all but the last, at most N entries each', () => {
  const entry = (i: number): ReportDataType => ({
    component: { name: 'C' },
    variable: { name: `V${i}` },
    variableAttribute: [{ type: 'Actual', value: String(i) }],
  });
  const at = '2026-03-10T10:15:00.000Z';
  const msgs = notifyReports(
    7,
    at,
    Array.from({ length: 120 }, (_, i) => entry(i)),
    50,
  );
  assert.equal(
    msgs.map((m) => ({
      requestId: m.requestId,
      generatedAt: m.generatedAt,
      seqNo: m.seqNo,
      tbc: m.tbc,
      n: m.reportData?.length,
    })),
    [
      { requestId: 7, generatedAt: at, seqNo: 0, tbc: true, n: 50 },
      { requestId: 7, generatedAt: at, seqNo: 1, tbc: true, n: 50 },
      { requestId: 7, generatedAt: at, seqNo: 2, tbc: false, n: 20 },
    ],
  );
  assert.equal(msgs[2]!.reportData![19], entry(119));
  assert.equal(
    notifyReports(
      8,
      at,
      Array.from({ length: 50 }, (_, i) => entry(i)),
      50,
    ).map((m) => [m.seqNo, m.tbc]),
    [[0, false]],
  );
  assert.equal(notifyReports(9, at, [], 50), [{ requestId: 9, generatedAt: at, seqNo: 0, tbc: false }]);
});

test.run();
