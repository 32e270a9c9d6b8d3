/**
 * The 2.0.1 device model handlers (GetVariables, SetVariables, GetBaseReport, GetReport) on a
 * fake TypedRpc: results in request order, echoed addresses, CALLERRORs for oversized requests,
 * the write log, and reports sent after the answer as NotifyReport messages, each awaited.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RpcError } from '../../../../src/ocpp/rpc/index.js';
import type { NotifyReportRequest, SetVariableDataType } from '../../../../src/ocpp/schemas/generated/v201/types.js';
import { DM_LIMITS, registerV201DeviceModel } from '../../../../src/ocpp/v201/device-model/index.js';
import { adapterContext, fakeRpc, memoryLogger, settle, withRig, type Rig } from './rig.js';

function wire(rig: Rig) {
  const fake = fakeRpc();
  const { log, lines } = memoryLogger();
  registerV201DeviceModel(adapterContext(rig, log), fake.rpc, rig.dm);
  return { ...fake, lines };
}

async function rejects(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RpcError) return err;
    throw err;
  }
  throw new Error('expected an RpcError');
}

test(
  'registers GetVariables, SetVariables, GetBaseReport and GetReport',
  withRig((rig) => {
    const { handlers } = wire(rig);
    assert.equal([...handlers.keys()].sort(), ['GetBaseReport', 'GetReport', 'GetVariables', 'SetVariables']);
  }),
);

test(
  'B06.FR.01–04 / B06.FR.11 / TC_B_07_CS - GetVariables: one result per item, in request order, component and variable echoed',
  withRig(async (rig) => {
    const { invoke } = wire(rig);
    const answer = await invoke('GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' }, attributeType: 'Actual' },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'LocalAuthorizationOffline' } },
        { component: { name: 'UnknownComponent' }, variable: { name: 'X' } },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'SupplyPhases' }, attributeType: 'Target' },
      ],
    });
    assert.equal(answer, {
      getVariableResult: [
        {
          attributeStatus: 'Accepted',
          attributeType: 'Actual',
          attributeValue: '300',
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'OfflineThreshold' },
        },
        {
          attributeStatus: 'Accepted',
          attributeType: 'Actual',
          attributeValue: 'true',
          component: { name: 'AuthCtrlr' },
          variable: { name: 'LocalAuthorizationOffline' },
        },
        {
          attributeStatus: 'UnknownComponent',
          attributeType: 'Actual',
          attributeStatusInfo: { reasonCode: 'NotFound', additionalInfo: 'no component UnknownComponent' },
          component: { name: 'UnknownComponent' },
          variable: { name: 'X' },
        },
        {
          attributeStatus: 'Rejected',
          attributeType: 'Actual',
          attributeStatusInfo: { reasonCode: 'WriteOnly', additionalInfo: 'SecurityCtrlr.BasicAuthPassword is write-only' },
          component: { name: 'SecurityCtrlr' },
          variable: { name: 'BasicAuthPassword' },
        },
        {
          attributeStatus: 'NotSupportedAttributeType',
          attributeType: 'Target',
          attributeStatusInfo: {
            reasonCode: 'UnsupportedParam',
            additionalInfo: 'EVSE[2].SupplyPhases has no Target attribute (has Actual)',
          },
          component: { name: 'EVSE', evse: { id: 2 } },
          variable: { name: 'SupplyPhases' },
        },
      ],
    });
  }),
);

test(
  'B06.FR.16 - more GetVariableData than ItemsPerMessage[GetVariables]: CALLERROR OccurrenceConstraintViolation; exactly the limit is answered',
  withRig(async (rig) => {
    const { invoke } = wire(rig);
    const item = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
    const ok = await invoke('GetVariables', { getVariableData: Array.from({ length: DM_LIMITS.getVariablesItems }, () => item) });
    assert.is(ok.getVariableResult.length, 50);
    const err = await rejects(
      invoke('GetVariables', { getVariableData: Array.from({ length: DM_LIMITS.getVariablesItems + 1 }, () => item) }),
    );
    assert.is(err.code, 'OccurrenceConstraintViolation');
    assert.is(err.description, 'GetVariables: 51 items, ItemsPerMessage[GetVariables] is 50');
  }),
);

test(
  'B06.FR.17 - a GetVariablesRequest over BytesPerMessage[GetVariables]: CALLERROR FormatViolation',
  withRig(async (rig) => {
    const { invoke } = wire(rig);
    const big = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval', instance: 'x'.repeat(1400) } };
    const err = await rejects(invoke('GetVariables', { getVariableData: Array.from({ length: 48 }, () => big) }));
    assert.is(err.code, 'FormatViolation');
    assert.match(err.description, /^GetVariables: \d+ bytes, BytesPerMessage\[GetVariables\] is 65536$/);
  }),
);

test(
  'B05.FR.01–03 / B05.FR.12 / TC_B_10_CS - SetVariables: all results in order, applied and persisted; every write logged by csms, WriteOnly redacted',
  withRig(async (rig) => {
    const { invoke, lines } = wire(rig);
    const setVariableData: SetVariableDataType[] = [
      {
        component: { name: 'OCPPCommCtrlr' },
        variable: { name: 'OfflineThreshold' },
        attributeValue: '300',
        attributeType: 'Actual',
      },
      { component: { name: 'AuthCtrlr' }, variable: { name: 'LocalAuthorizationOffline' }, attributeValue: 'false' },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'sixteen-chars-ok' },
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageTimeout', instance: 'Default' }, attributeValue: '10' },
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: '0' },
    ];
    const answer = await invoke('SetVariables', { setVariableData });
    assert.equal(answer, {
      setVariableResult: [
        {
          attributeStatus: 'Accepted',
          attributeType: 'Actual',
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'OfflineThreshold' },
        },
        {
          attributeStatus: 'Accepted',
          attributeType: 'Actual',
          component: { name: 'AuthCtrlr' },
          variable: { name: 'LocalAuthorizationOffline' },
        },
        {
          attributeStatus: 'Accepted',
          attributeType: 'Actual',
          component: { name: 'SecurityCtrlr' },
          variable: { name: 'BasicAuthPassword' },
        },
        {
          attributeStatus: 'Rejected',
          attributeType: 'Actual',
          attributeStatusInfo: { reasonCode: 'ReadOnly', additionalInfo: 'OCPPCommCtrlr.MessageTimeout[Default] is read-only' },
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'MessageTimeout', instance: 'Default' },
        },
        {
          attributeStatus: 'RebootRequired',
          attributeType: 'Actual',
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'NetworkConfigurationPriority' },
        },
      ],
    });
    assert.is(rig.settings.bool('LocalAuthorizeOffline'), false);
    assert.is(rig.settings.get('BasicAuthPassword'), 'sixteen-chars-ok');
    const writes = lines.filter((l) => l.msg === 'device model variable set');
    assert.equal(
      writes.map((l) => ({ dm: l['dm'], value: l['value'], status: l['status'], by: l['by'], component: l['component'] })),
      [
        {
          dm: { component: 'OCPPCommCtrlr', variable: 'OfflineThreshold', attributeType: 'Actual' },
          value: '300',
          status: 'Accepted',
          by: 'csms',
          component: 'device-model',
        },
        {
          dm: { component: 'AuthCtrlr', variable: 'LocalAuthorizeOffline', attributeType: 'Actual' },
          value: 'false',
          status: 'Accepted',
          by: 'csms',
          component: 'device-model',
        },
        {
          dm: { component: 'SecurityCtrlr', variable: 'BasicAuthPassword', attributeType: 'Actual' },
          value: '[redacted]',
          status: 'Accepted',
          by: 'csms',
          component: 'device-model',
        },
        {
          dm: { component: 'OCPPCommCtrlr', variable: 'MessageTimeout[Default]', attributeType: 'Actual' },
          value: '10',
          status: 'Rejected',
          by: 'csms',
          component: 'device-model',
        },
        {
          dm: { component: 'OCPPCommCtrlr', variable: 'NetworkConfigurationPriority', attributeType: 'Actual' },
          value: '0',
          status: 'RebootRequired',
          by: 'csms',
          component: 'device-model',
        },
      ],
    );
    assert.not.ok(JSON.stringify(lines).includes('sixteen-chars-ok'));
  }),
);

test(
  'SetVariables beyond ItemsPerMessage[SetVariables]: CALLERROR OccurrenceConstraintViolation, nothing applied',
  withRig(async (rig) => {
    const { invoke } = wire(rig);
    const item = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' }, attributeValue: '1' };
    const err = await rejects(
      invoke('SetVariables', { setVariableData: Array.from({ length: DM_LIMITS.setVariablesItems + 1 }, () => item) }),
    );
    assert.is(err.code, 'OccurrenceConstraintViolation');
    assert.is(rig.settings.int('OfflineThreshold'), 300);
  }),
);

test(
  'B07.FR.01/03/04/10 / TC_B_13_CS - GetBaseReport FullInventory: Accepted first, then NotifyReport messages in order with one requestId and generatedAt',
  withRig(async (rig) => {
    const { invoke, calls } = wire(rig);
    const answer = await invoke('GetBaseReport', { requestId: 42, reportBase: 'FullInventory' });
    assert.equal(answer, { status: 'Accepted' });
    assert.is(calls.length, 0, 'nothing is sent before the answer');
    await settle();
    const total = rig.dm.entries().length;
    const expected = Math.ceil(total / DM_LIMITS.getReportItems);
    assert.ok(expected >= 2);
    assert.is(calls.length, expected);
    const msgs = calls.map((c) => c.payload as NotifyReportRequest);
    assert.ok(calls.every((c) => c.action === 'NotifyReport'));
    assert.equal(
      msgs.map((m) => m.seqNo),
      [...Array(expected).keys()],
    );
    assert.equal(
      msgs.map((m) => m.tbc),
      [...Array(expected).keys()].map((i) => i < expected - 1),
    );
    assert.ok(msgs.every((m) => m.requestId === 42 && m.generatedAt === '2026-03-10T10:15:00.000Z'));
    assert.ok(msgs.every((m) => (m.reportData?.length ?? 0) <= DM_LIMITS.getReportItems));
    assert.is(
      msgs.reduce((n, m) => n + (m.reportData?.length ?? 0), 0),
      total,
    );
    const password = msgs.flatMap((m) => m.reportData ?? []).find((d) => d.variable.name === 'BasicAuthPassword')!;
    assert.is(password.variableAttribute[0]!.value, undefined);
  }),
);

test(
  'B07.FR.09 - GetBaseReport SummaryInventory: Accepted, one NotifyReport',
  withRig(async (rig) => {
    const { invoke, calls } = wire(rig);
    assert.equal(await invoke('GetBaseReport', { requestId: 5, reportBase: 'SummaryInventory' }), { status: 'Accepted' });
    await settle();
    assert.is(calls.length, 1);
    const msg = calls[0]!.payload as NotifyReportRequest;
    assert.equal([msg.seqNo, msg.tbc, msg.reportData?.length], [0, false, 3]);
  }),
);

test(
  'B08.FR.01/03/04 / TC_B_17_CS - GetReport with componentVariable: Accepted, then one NotifyReport with that entry',
  withRig(async (rig) => {
    const { invoke, calls } = wire(rig);
    const answer = await invoke('GetReport', {
      requestId: 3,
      componentVariable: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } }],
    });
    assert.equal(answer, { status: 'Accepted' });
    await settle();
    assert.equal(calls, [
      {
        action: 'NotifyReport',
        payload: {
          requestId: 3,
          generatedAt: '2026-03-10T10:15:00.000Z',
          reportData: [
            {
              component: { name: 'EVSE', evse: { id: 1 } },
              variable: { name: 'AvailabilityState' },
              variableAttribute: [
                { type: 'Actual', value: 'Available', mutability: 'ReadOnly', persistent: false, constant: false },
              ],
              variableCharacteristics: {
                dataType: 'OptionList',
                valuesList: 'Available,Occupied,Reserved,Unavailable,Faulted',
                supportsMonitoring: false,
              },
            },
          ],
          seqNo: 0,
          tbc: false,
        },
      },
    ]);
  }),
);

test(
  'B08.FR.15 / TC_B_18_CS - GetReport matching nothing: EmptyResultSet (NotFound), no NotifyReport',
  withRig(async (rig) => {
    const { invoke, calls } = wire(rig);
    const answer = await invoke('GetReport', {
      requestId: 4,
      componentCriteria: ['Problem'],
      componentVariable: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } }],
    });
    assert.equal(answer, {
      status: 'EmptyResultSet',
      statusInfo: { reasonCode: 'NotFound', additionalInfo: 'no component/variable matches the request' },
    });
    await settle();
    assert.is(calls.length, 0);
  }),
);

test(
  'B08.FR.17 - more componentVariable entries than ItemsPerMessage[GetReport]: CALLERROR OccurrenceConstraintViolation',
  withRig(async (rig) => {
    const { invoke, calls } = wire(rig);
    const cv = { component: { name: 'OCPPCommCtrlr' } };
    const err = await rejects(invoke('GetReport', { requestId: 1, componentVariable: Array.from({ length: 51 }, () => cv) }));
    assert.is(err.code, 'OccurrenceConstraintViolation');
    await settle();
    assert.is(calls.length, 0);
  }),
);

test(
  'a NotifyReport that fails ends the report: the rest is not sent and the failure is logged',
  withRig(async (rig) => {
    const { invoke, calls, failCall, lines } = wire(rig);
    failCall(1, new Error('offline'));
    assert.equal(await invoke('GetBaseReport', { requestId: 9, reportBase: 'FullInventory' }), { status: 'Accepted' });
    await settle();
    assert.is(calls.length, 2);
    const failure = lines.find((l) => l.msg === 'report not delivered; the rest of it is dropped')!;
    assert.equal([failure.level, failure['requestId'], failure['seqNo']], [50, 9, 1]);
  }),
);

test(
  'values in a report are those at the time of the request',
  withRig(async (rig) => {
    const { invoke, calls } = wire(rig);
    await invoke('GetReport', {
      requestId: 11,
      componentVariable: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' } }],
    });
    rig.settings.set('OfflineThreshold', 99);
    await settle();
    const msg = calls[0]!.payload as NotifyReportRequest;
    assert.is(msg.reportData![0]!.variableAttribute[0]!.value, '300');
  }),
);

test.run();
