/**
 * Everything the device model sends passes the official OCPP 2.0.1 schemas (rule 1 of DESIGN.md):
 * the NotifyReport messages of every base report and the answers to GetVariables, SetVariables,
 * GetBaseReport and GetReport, including their refusals.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadSchemas } from '../../../../src/ocpp/schemas/index.js';
import { registerV201DeviceModel } from '../../../../src/ocpp/v201/device-model/index.js';
import { adapterContext, fakeRpc, memoryLogger, settle, withRig } from './rig.js';

const schemas = await loadSchemas('ocpp2.0.1');

function valid(action: string, kind: 'request' | 'response', payload: unknown): void {
  const issue = schemas.validate(action, kind, payload);
  assert.is(issue, null, `${action} ${kind}: ${JSON.stringify(issue)}`);
}

test(
  'NotifyReport messages of FullInventory, ConfigurationInventory and SummaryInventory are schema-valid',
  withRig(async (rig) => {
    await rig.board.controls.raiseFault(2, 'overTemperature');
    const fake = fakeRpc();
    registerV201DeviceModel(adapterContext(rig, memoryLogger().log), fake.rpc, rig.dm);
    for (const [i, reportBase] of (['FullInventory', 'ConfigurationInventory', 'SummaryInventory'] as const).entries()) {
      const answer = await fake.invoke('GetBaseReport', { requestId: i, reportBase });
      valid('GetBaseReport', 'response', answer);
    }
    await settle();
    assert.ok(fake.calls.length >= 5);
    for (const c of fake.calls) valid('NotifyReport', 'request', c.payload);
  }),
);

test(
  'GetVariables / SetVariables / GetReport answers are schema-valid for every status',
  withRig(async (rig) => {
    const fake = fakeRpc();
    registerV201DeviceModel(adapterContext(rig, memoryLogger().log), fake.rpc, rig.dm);
    const get = await fake.invoke('GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'Nope' }, variable: { name: 'X' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'X' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: 'MaxSet' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { component: { name: 'Connector', evse: { id: 2, connectorId: 2 } }, variable: { name: 'AvailabilityState' } },
      ],
    });
    valid('GetVariables', 'response', get);
    const set = await fake.invoke('SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '60' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: 'x'.repeat(1000) },
        { component: { name: 'Nope' }, variable: { name: 'X' }, attributeValue: '1' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'X' }, attributeValue: '1' },
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          attributeValue: '1',
          attributeType: 'Target',
        },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'ActiveNetworkProfile' }, attributeValue: '1' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: '0' },
        { component: { name: 'TxCtrlr' }, variable: { name: 'TxStartPoint' }, attributeValue: `${'Authorized,'.repeat(80)}X` },
      ],
    });
    valid('SetVariables', 'response', set);
    valid('GetReport', 'response', await fake.invoke('GetReport', { requestId: 1, componentCriteria: ['Problem'] }));
    valid('GetReport', 'response', await fake.invoke('GetReport', { requestId: 2, componentCriteria: ['Enabled', 'Active'] }));
    await settle();
    for (const c of fake.calls) valid('NotifyReport', 'request', c.payload);
  }),
);

test.run();
