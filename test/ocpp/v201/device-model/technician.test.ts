/**
 * The evsectl side of the device model: listing every variable (never a WriteOnly value) and a
 * technician's writes, which run the same checks as a CSMS write and are logged `by: 'technician'`;
 * the text form of addresses.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAddress, listVariables, parseAddress, setFromTechnician } from '../../../../src/ocpp/v201/device-model/index.js';
import { memoryLogger, withRig } from './rig.js';

test('parseAddress / formatAddress: the text form round-trips; malformed text is null', () => {
  for (const text of [
    'OCPPCommCtrlr.HeartbeatInterval',
    'OCPPCommCtrlr.MessageAttempts[TransactionEvent]',
    'EVSE[1].Power',
    'Connector[2,1].AvailabilityState',
    'Display(Main).Message',
  ]) {
    const a = parseAddress(text);
    assert.ok(a, text);
    assert.is(formatAddress(a!), text);
  }
  assert.equal(parseAddress('Connector[2,1].AvailabilityState'), {
    component: { name: 'Connector', evse: { id: 2, connectorId: 1 } },
    variable: { name: 'AvailabilityState' },
  });
  for (const bad of ['', 'OCPPCommCtrlr', '.HeartbeatInterval', 'EVSE[x].Power', 'A.B[', 'A B.C'])
    assert.is(parseAddress(bad), null, bad);
});

test(
  'listVariables: every variable with its source; WriteOnly without value',
  withRig(({ dm }) => {
    const list = listVariables(dm);
    assert.is(list.length, dm.entries().length);
    const by = new Map(list.map((v) => [v.address, v]));
    assert.equal(by.get('OCPPCommCtrlr.MessageAttempts[TransactionEvent]'), {
      address: 'OCPPCommCtrlr.MessageAttempts[TransactionEvent]',
      mutability: 'ReadWrite',
      dataType: 'integer',
      value: '3',
      source: 'setting',
      setting: 'TransactionMessageAttempts',
    });
    assert.equal(by.get('SecurityCtrlr.BasicAuthPassword'), {
      address: 'SecurityCtrlr.BasicAuthPassword',
      mutability: 'WriteOnly',
      dataType: 'string',
      source: 'setting',
      setting: 'BasicAuthPassword',
    });
    assert.equal(by.get('EVSE[1].Power'), {
      address: 'EVSE[1].Power',
      mutability: 'ReadOnly',
      dataType: 'decimal',
      unit: 'W',
      value: '0',
      source: 'live',
    });
    assert.equal(by.get('ClockCtrlr.TimeZone'), {
      address: 'ClockCtrlr.TimeZone',
      mutability: 'ReadWrite',
      dataType: 'string',
      value: '',
      source: 'stored',
    });
  }),
);

test(
  'setFromTechnician: same checks as the CSMS, applied, logged by technician; bad address refused',
  withRig(({ dm, settings }) => {
    const { log, lines } = memoryLogger();
    assert.is(setFromTechnician(dm, 'OCPPCommCtrlr.HeartbeatInterval', '60', log).status, 'Accepted');
    assert.is(settings.int('HeartbeatInterval'), 60);
    assert.is(setFromTechnician(dm, 'OCPPCommCtrlr.HeartbeatInterval', '0', log).status, 'Rejected');
    assert.is(setFromTechnician(dm, 'EVSE[1].AvailabilityState', 'Unavailable', log).status, 'Rejected');
    assert.is(setFromTechnician(dm, 'EVSE[7].Power', '1', log).status, 'UnknownComponent');
    assert.equal(setFromTechnician(dm, 'nonsense', '1', log), {
      status: 'BadAddress',
      reason: '"nonsense" is not a device model address (e.g. OCPPCommCtrlr.HeartbeatInterval)',
    });
    assert.is(setFromTechnician(dm, 'SecurityCtrlr.BasicAuthPassword', 'technician-secret-1', log).status, 'Accepted');
    assert.equal(
      lines.map((l) => [l['by'], l['status'], l['value']]),
      [
        ['technician', 'Accepted', '60'],
        ['technician', 'Rejected', '0'],
        ['technician', 'Rejected', 'Unavailable'],
        ['technician', 'UnknownComponent', '1'],
        ['technician', 'Accepted', '[redacted]'],
      ],
    );
  }),
);

test.run();
