/**
 * OCPP 2.0.1 device model end to end (B05 SetVariables, B06 GetVariables, B07 GetBaseReport, B08
 * GetReport; A01 password update): standard variables read and written over the wire, the exact
 * result statuses of refusals, values that take effect at once and survive a restart, reports cut
 * into NotifyReport parts, and a new basic-auth password used on the next connection.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RecordedMessage, TestCsms } from '../../peers/csms.js';
import { eventually } from '../../support/evsed.js';
import { callsSince, sleep } from '../../support/station.js';
import { disposeRig, getVar, replyTo, restart, setVar, startRig, waitStatus, type Rig } from './helpers.js';

const test = suite<{ rig?: Rig }>('2.0.1 device model');

test.after.each(async (c) => {
  await disposeRig(c.rig);
  c.rig = undefined;
});

const v = (component: Record<string, unknown>, variable: string, extra: Record<string, unknown> = {}) => ({
  component,
  variable: { name: variable },
  ...extra,
});

/** Label of a reported component/variable, e.g. `EVSE#1/Power`, `Connector#1.1/AvailabilityState`. */
function label(d: { component: any; variable: any }): string {
  const e = d.component.evse;
  const where = e ? `#${e.id}${e.connectorId !== undefined ? `.${e.connectorId}` : ''}` : '';
  return `${d.component.name}${where}/${d.variable.name}${d.variable.instance ? `[${d.variable.instance}]` : ''}`;
}

/** Every NotifyReport of `requestId`, once the part with tbc=false has arrived. */
async function report(csms: TestCsms, requestId: number, since: number): Promise<RecordedMessage[]> {
  await csms.waitForCall('NotifyReport', { since, match: (p) => p.requestId === requestId && p.tbc === false });
  return csms.calls('NotifyReport').filter((m) => m.seq >= since && m.payload.requestId === requestId);
}

test('B06.FR.04 / B06.FR.10 - GetVariables of standard variables: values in request order; AvailabilityState follows the connector', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const data = [
    v({ name: 'OCPPCommCtrlr' }, 'HeartbeatInterval'),
    v({ name: 'TxCtrlr' }, 'TxStartPoint'),
    v({ name: 'TxCtrlr' }, 'TxStopPoint'),
    v({ name: 'SecurityCtrlr' }, 'Identity'),
    v({ name: 'ChargingStation' }, 'AvailabilityState'),
    v({ name: 'EVSE', evse: { id: 1 } }, 'AvailabilityState'),
    v({ name: 'Connector', evse: { id: 1, connectorId: 1 } }, 'AvailabilityState'),
    v({ name: 'EVSE', evse: { id: 2 } }, 'AvailabilityState'),
  ];
  const values = async () => (await csms.call('GetVariables', { getVariableData: data })).getVariableResult;
  const before = await values();
  assert.equal(before, data.map((d, i) => ({
    attributeStatus: 'Accepted',
    attributeType: 'Actual',
    attributeValue: ['300', 'PowerPathClosed', 'EVConnected,Authorized', 'CP-TEST-1', 'Available', 'Available', 'Available', 'Available'][i],
    ...d,
  })));
  await evsed.ctl('sim.plug', { connector: 1 });
  await waitStatus(csms, 1, 'Occupied');
  const after = await values();
  assert.equal(after.slice(4).map((r: any) => r.attributeValue), ['Available', 'Occupied', 'Occupied', 'Available']);
  assert.equal(csms.violations(), []);
});

test('B06.FR.06 / B06.FR.07 / B06.FR.08 / B06.FR.09 - GetVariables refusals: UnknownComponent, UnknownVariable, NotSupportedAttributeType, WriteOnly Rejected; never a value', async (c) => {
  const { csms } = (c.rig = await startRig());
  const data = [
    v({ name: 'NoSuchCtrlr' }, 'HeartbeatInterval'),
    v({ name: 'EVSE', evse: { id: 9 } }, 'AvailabilityState'),
    v({ name: 'Connector', evse: { id: 1, connectorId: 7 } }, 'AvailabilityState'),
    v({ name: 'OCPPCommCtrlr' }, 'NoSuchVariable'),
    v({ name: 'OCPPCommCtrlr' }, 'HeartbeatInterval', { attributeType: 'Target' }),
    v({ name: 'SecurityCtrlr' }, 'BasicAuthPassword'),
  ];
  const r = (await csms.call('GetVariables', { getVariableData: data })).getVariableResult as any[];
  assert.equal(r.map((x) => x.attributeStatus), ['UnknownComponent', 'UnknownComponent', 'UnknownComponent', 'UnknownVariable', 'NotSupportedAttributeType', 'Rejected']);
  assert.equal(r.map((x) => x.attributeType), ['Actual', 'Actual', 'Actual', 'Actual', 'Target', 'Actual']);
  assert.ok(r.every((x) => x.attributeValue === undefined), 'no value with a refusal');
  assert.equal(r.map((x) => label(x)), data.map((d) => label(d)), 'component and variable echoed');
  assert.equal(csms.violations(), []);
});

test('B05 / R-B10 - SetVariables OCPPCommCtrlr.HeartbeatInterval: Accepted, read back, and Heartbeats come at the new interval', async (c) => {
  const { csms } = (c.rig = await startRig());
  assert.equal(await setVar(csms, 'OCPPCommCtrlr', 'HeartbeatInterval', '2'), {
    attributeStatus: 'Accepted',
    attributeType: 'Actual',
    component: { name: 'OCPPCommCtrlr' },
    variable: { name: 'HeartbeatInterval' },
  });
  const mark = csms.mark();
  assert.is((await getVar(csms, 'OCPPCommCtrlr', 'HeartbeatInterval')).attributeValue, '2');
  const first = await csms.waitForCall('Heartbeat', { since: mark, timeoutMs: 5000 });
  const second = await csms.waitForCall('Heartbeat', { since: first.seq + 1, timeoutMs: 5000 });
  const quietMs = first.at - csms.messages.filter((m) => m.seq < first.seq).at(-1)!.at;
  const gapMs = second.at - first.at;
  assert.ok(quietMs >= 1500 && quietMs < 3500, `first Heartbeat after ${quietMs} ms of silence`);
  assert.ok(gapMs >= 1500 && gapMs < 3500, `Heartbeats ${gapMs} ms apart`);
  assert.equal(csms.violations(), []);
});

test('B05 - SetVariables refusals: UnknownComponent, UnknownVariable, NotSupportedAttributeType, Rejected (read-only, out of range, not a number, bad list member); nothing changes', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  const data = [
    v({ name: 'NoSuchCtrlr' }, 'HeartbeatInterval', { attributeValue: '10' }),
    v({ name: 'EVSE', evse: { id: 9 } }, 'AllowReset', { attributeValue: 'true' }),
    v({ name: 'OCPPCommCtrlr' }, 'NoSuchVariable', { attributeValue: '10' }),
    v({ name: 'OCPPCommCtrlr' }, 'HeartbeatInterval', { attributeValue: '10', attributeType: 'MaxSet' }),
    v({ name: 'SecurityCtrlr' }, 'Identity', { attributeValue: 'CP-OTHER' }),
    v({ name: 'OCPPCommCtrlr' }, 'HeartbeatInterval', { attributeValue: '0' }),
    v({ name: 'OCPPCommCtrlr' }, 'HeartbeatInterval', { attributeValue: 'often' }),
    v({ name: 'TxCtrlr' }, 'TxStartPoint', { attributeValue: 'EVConnected,Teleportation' }),
    v({ name: 'AuthCtrlr' }, 'LocalPreAuthorize', { attributeValue: 'maybe' }),
  ];
  const r = (await csms.call('SetVariables', { setVariableData: data })).setVariableResult as any[];
  assert.equal(r.map((x) => x.attributeStatus), [
    'UnknownComponent',
    'UnknownComponent',
    'UnknownVariable',
    'NotSupportedAttributeType',
    'Rejected',
    'Rejected',
    'Rejected',
    'Rejected',
    'Rejected',
  ]);
  assert.equal(r.map((x) => x.attributeType), ['Actual', 'Actual', 'Actual', 'MaxSet', 'Actual', 'Actual', 'Actual', 'Actual', 'Actual']);
  assert.equal(r.map((x) => label(x)), data.map((d) => label(d)));
  const got = (await csms.call('GetVariables', {
    getVariableData: [v({ name: 'OCPPCommCtrlr' }, 'HeartbeatInterval'), v({ name: 'TxCtrlr' }, 'TxStartPoint'), v({ name: 'SecurityCtrlr' }, 'Identity'), v({ name: 'AuthCtrlr' }, 'LocalPreAuthorize')],
  })).getVariableResult as any[];
  assert.equal(got.map((x) => x.attributeValue), ['300', 'PowerPathClosed', 'CP-TEST-1', 'false']);
  // The refused values did not reach the station either.
  const logged = evsed.logRecords().filter((l) => l.msg === 'device model variable set');
  assert.is(logged.length, data.length);
  assert.ok(logged.every((l) => l.status !== 'Accepted'));
  assert.equal(csms.violations(), []);
});

test('B05 / 1i - values set over 2.0.1 survive a restart and are acted on (TxStartPoint EVConnected starts at plug-in)', async (c) => {
  const rig = (c.rig = await startRig());
  const { csms } = rig;
  const data = [
    v({ name: 'TxCtrlr' }, 'EVConnectionTimeOut', { attributeValue: '45' }),
    v({ name: 'TxCtrlr' }, 'TxStartPoint', { attributeValue: 'EVConnected' }),
    v({ name: 'ClockCtrlr' }, 'TimeZone', { attributeValue: 'Europe/Berlin' }),
    v({ name: 'AuthCtrlr' }, 'LocalPreAuthorize', { attributeValue: 'true' }),
  ];
  const r = (await csms.call('SetVariables', { setVariableData: data })).setVariableResult as any[];
  assert.equal(r.map((x) => x.attributeStatus), ['Accepted', 'Accepted', 'Accepted', 'Accepted']);
  await restart(rig);
  const got = (await csms.call('GetVariables', { getVariableData: data.map(({ component, variable }) => ({ component, variable })) })).getVariableResult as any[];
  assert.equal(got.map((x) => x.attributeValue), ['45', 'EVConnected', 'Europe/Berlin', 'true']);
  const mark = csms.mark();
  await rig.evsed.ctl('sim.plug', { connector: 2 });
  const started = await csms.waitForCall('TransactionEvent', { since: mark, match: (p) => p.eventType === 'Started' });
  assert.is(started.payload.triggerReason, 'CablePluggedIn');
  assert.equal(started.payload.evse, { id: 2, connectorId: 1 });
  assert.equal(csms.violations(), []);
});

test('B07.FR.08 / B07.FR.10 - GetBaseReport FullInventory: Accepted first, then NotifyReport parts with the requestId, seqNo 0.., tbc true on all but the last', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.equal(await csms.call('GetBaseReport', { requestId: 71, reportBase: 'FullInventory' }), { status: 'Accepted' });
  const parts = await report(csms, 71, mark);
  const answer = replyTo(csms, 'GetBaseReport', mark)!;
  assert.ok(answer.seq < parts[0]!.seq, 'the answer crossed the wire before the first NotifyReport');
  assert.ok(parts.length >= 2, `${parts.length} parts`);
  assert.equal(parts.map((m) => m.payload.seqNo), parts.map((_, i) => i));
  assert.equal(parts.map((m) => m.payload.tbc), parts.map((_, i) => i < parts.length - 1));
  assert.is(new Set(parts.map((m) => m.payload.generatedAt)).size, 1, 'one generatedAt for the whole report');
  const data = parts.flatMap((m) => m.payload.reportData as any[]);
  const byLabel = new Map(data.map((d) => [label(d), d]));
  assert.is(byLabel.size, data.length, 'no variable reported twice');
  for (const l of ['OCPPCommCtrlr/HeartbeatInterval', 'SecurityCtrlr/Identity', 'TxCtrlr/TxStartPoint', 'ChargingStation/AvailabilityState', 'EVSE#1/AvailabilityState', 'EVSE#2/AvailabilityState', 'Connector#1.1/AvailabilityState', 'Connector#2.1/AvailabilityState', 'SecurityCtrlr/BasicAuthPassword']) {
    assert.ok(byLabel.has(l), `${l} missing from the full inventory`);
  }
  assert.equal(byLabel.get('OCPPCommCtrlr/HeartbeatInterval').variableAttribute, [{ type: 'Actual', value: '300', mutability: 'ReadWrite', persistent: true, constant: false }]);
  assert.is(byLabel.get('SecurityCtrlr/Identity').variableAttribute[0].mutability, 'ReadOnly');
  const password = byLabel.get('SecurityCtrlr/BasicAuthPassword').variableAttribute[0];
  assert.is(password.mutability, 'WriteOnly');
  assert.is(password.value, undefined, 'a WriteOnly value is never reported');
  assert.equal(csms.violations(), []);
});

test('B07.FR.07 - GetBaseReport ConfigurationInventory: only ReadWrite / WriteOnly variables', async (c) => {
  const { csms } = (c.rig = await startRig());
  const mark = csms.mark();
  assert.equal(await csms.call('GetBaseReport', { requestId: 72, reportBase: 'ConfigurationInventory' }), { status: 'Accepted' });
  const data = (await report(csms, 72, mark)).flatMap((m) => m.payload.reportData as any[]);
  const readOnly = data.filter((d) => d.variableAttribute.some((a: any) => a.mutability === 'ReadOnly')).map(label);
  assert.equal(readOnly, []);
  const labels = data.map(label);
  assert.ok(labels.includes('OCPPCommCtrlr/HeartbeatInterval'));
  assert.ok(labels.includes('TxCtrlr/TxStartPoint'));
  assert.not.ok(labels.includes('SecurityCtrlr/Identity'));
  assert.not.ok(labels.some((l) => l.endsWith('/AvailabilityState')));
  assert.equal(csms.violations(), []);
});

test('B08 - GetReport: componentVariable selects exactly those variables; componentCriteria Problem: EmptyResultSet until a fault, then the faulted components', async (c) => {
  const { csms, evsed } = (c.rig = await startRig());
  let mark = csms.mark();
  assert.equal(await csms.call('GetReport', {
    requestId: 81,
    componentVariable: [
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      { component: { name: 'EVSE' }, variable: { name: 'AvailabilityState' } },
    ],
  }), { status: 'Accepted' });
  const selected = (await report(csms, 81, mark)).flatMap((m) => m.payload.reportData as any[]);
  assert.equal(selected.map(label).sort(), ['EVSE#1/AvailabilityState', 'EVSE#2/AvailabilityState', 'OCPPCommCtrlr/HeartbeatInterval']);

  mark = csms.mark();
  const empty = await csms.call('GetReport', { requestId: 82, componentCriteria: ['Problem'] });
  assert.is(empty.status, 'EmptyResultSet');
  await sleep(300);
  assert.is(callsSince(csms, 'NotifyReport', mark).length, 0, 'no NotifyReport after EmptyResultSet');

  await evsed.ctl('sim.fault', { connector: 1, code: 'overTemperature' });
  await waitStatus(csms, 1, 'Faulted');
  mark = csms.mark();
  assert.equal(await csms.call('GetReport', { requestId: 83, componentCriteria: ['Problem'] }), { status: 'Accepted' });
  const problems = (await report(csms, 83, mark)).flatMap((m) => m.payload.reportData as any[]);
  const components = [...new Set(problems.map((d) => label(d).split('/')[0]))].sort();
  assert.equal(components, ['ChargingStation', 'Connector#1.1', 'EVSE#1']);
  const problem = problems.filter((d) => d.variable.name === 'Problem').map((d) => d.variableAttribute[0].value);
  assert.equal(problem, ['true', 'true', 'true']);
  assert.equal(csms.violations(), []);
});

test('A01 / TC_A_09_CS - SecurityCtrlr.BasicAuthPassword via SetVariables: Accepted; the station reconnects with the new password; the secret is neither readable nor logged', async (c) => {
  const oldPassword = 'InitialPassword0001';
  const newPassword = 'RotatedPassword0002';
  const rig = (c.rig = await startRig({
    csms: { passwords: { 'CP-TEST-1': oldPassword } },
    evsed: { securityProfile: 1, password: oldPassword },
  }));
  const { csms, evsed } = rig;
  assert.is(csms.connections[0]!.password, oldPassword);
  csms.setPassword('CP-TEST-1', newPassword);
  const r = await setVar(csms, 'SecurityCtrlr', 'BasicAuthPassword', newPassword);
  assert.is(r.attributeStatus, 'Accepted');
  await eventually(() => csms.connections.length === 2 && csms.client() !== undefined, 8000, 'a second connection');
  assert.is(csms.connections[1]!.password, newPassword);
  assert.ok(csms.connections[0]!.closedAt !== undefined, 'the old connection was closed');
  assert.ok(csms.upgrades.every((u) => u.httpStatus === 101), `refused upgrades: ${JSON.stringify(csms.upgrades.map((u) => u.httpStatus))}`);
  // Reconnect without reboot: no new BootNotification (R-B9); the station works on the new link.
  await sleep(300);
  assert.is(csms.calls('BootNotification').length, 1);
  const read = await getVar(csms, 'SecurityCtrlr', 'BasicAuthPassword');
  assert.is(read.attributeStatus, 'Rejected');
  assert.is(read.attributeValue, undefined);
  assert.not.ok(evsed.logs.includes(newPassword), 'the new password appears in the log');
  assert.equal(csms.violations(), []);
});

test.run();
