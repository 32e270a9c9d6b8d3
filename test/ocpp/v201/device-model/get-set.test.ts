/**
 * DeviceModel get / set (B05 Set Variables, B06 Get Variables): every result status, addressing
 * of components, instances, EVSEs and connectors, data types, limits, valuesList and MemberList
 * checks, ReadOnly / WriteOnly. Real SQLite, real Settings, a StationRuntime on the sim board.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TETHERED_ONLY, withRig } from './rig.js';

const OCPP = { name: 'OCPPCommCtrlr' };

test(
  'B06.FR.10 / B06.FR.11 / TC_B_06_CS - OCPPCommCtrlr.OfflineThreshold Actual is read from its setting',
  withRig(({ dm, settings }) => {
    assert.equal(dm.get(OCPP, { name: 'OfflineThreshold' }, 'Actual').value, '300');
    settings.set('OfflineThreshold', 120);
    const out = dm.get(OCPP, { name: 'OfflineThreshold' });
    assert.is(out.status, 'Accepted');
    assert.is(out.attributeType, 'Actual');
    assert.is(out.value, '120');
    assert.is(out.statusInfo, undefined);
  }),
);

test(
  'B06.FR.06 / TC_B_32_CS - unknown component: UnknownComponent, no value',
  withRig(({ dm }) => {
    const out = dm.get({ name: 'UnknownComponent' }, { name: 'OfflineThreshold' });
    assert.equal(
      { status: out.status, value: out.value, statusInfo: out.statusInfo },
      {
        status: 'UnknownComponent',
        value: undefined,
        statusInfo: { reasonCode: 'NotFound', additionalInfo: 'no component UnknownComponent' },
      },
    );
  }),
);

test(
  'B06.FR.07 / TC_B_33_CS - known component, unknown variable: UnknownVariable, no value',
  withRig(({ dm }) => {
    const out = dm.get(OCPP, { name: 'UnknownVariable' });
    assert.is(out.status, 'UnknownVariable');
    assert.is(out.value, undefined);
    assert.equal(out.statusInfo, { reasonCode: 'NotFound', additionalInfo: 'no variable OCPPCommCtrlr.UnknownVariable' });
  }),
);

test(
  'B06.FR.08 / TC_B_34_CS - attribute type the variable lacks: NotSupportedAttributeType, no value',
  withRig(({ dm }) => {
    for (const type of ['Target', 'MinSet', 'MaxSet'] as const) {
      const out = dm.get(OCPP, { name: 'OfflineThreshold' }, type);
      assert.is(out.status, 'NotSupportedAttributeType');
      assert.is(out.attributeType, type);
      assert.is(out.value, undefined);
      assert.is(out.statusInfo?.reasonCode, 'UnsupportedParam');
    }
  }),
);

test(
  'B06.FR.09 - WriteOnly SecurityCtrlr.BasicAuthPassword: Get Rejected (WriteOnly), never a value',
  withRig(({ dm }) => {
    assert.is(dm.set({ name: 'SecurityCtrlr' }, { name: 'BasicAuthPassword' }, 'correct-horse-battery').status, 'Accepted');
    const out = dm.get({ name: 'SecurityCtrlr' }, { name: 'BasicAuthPassword' });
    assert.is(out.status, 'Rejected');
    assert.is(out.value, undefined);
    assert.equal(out.statusInfo, { reasonCode: 'WriteOnly', additionalInfo: 'SecurityCtrlr.BasicAuthPassword is write-only' });
  }),
);

test(
  'B06.FR.14 / B06.FR.15 - variable instances: named instance found, missing instance is UnknownVariable; names are case-insensitive',
  withRig(({ dm }) => {
    const ddc = { name: 'DeviceDataCtrlr' };
    assert.is(dm.get(ddc, { name: 'ItemsPerMessage', instance: 'GetVariables' }).value, '50');
    assert.is(dm.get(ddc, { name: 'BytesPerMessage', instance: 'SetVariables' }).value, '65536');
    assert.is(dm.get(ddc, { name: 'ItemsPerMessage' }).status, 'UnknownVariable');
    assert.is(dm.get(ddc, { name: 'ItemsPerMessage', instance: '' }).status, 'UnknownVariable');
    assert.is(dm.get(ddc, { name: 'ItemsPerMessage', instance: 'SendLocalList' }).status, 'UnknownVariable');
    assert.is(dm.get({ name: 'devicedatactrlr' }, { name: 'itemspermessage', instance: 'getreport' }).value, '50');
    assert.is(dm.get(OCPP, { name: 'MessageTimeout', instance: 'Default' }).value, '30');
    assert.is(dm.get(OCPP, { name: 'MessageTimeout' }).status, 'UnknownVariable');
    assert.is(dm.get({ name: 'OCPPCommCtrlr', instance: 'Other' }, { name: 'HeartbeatInterval' }).status, 'UnknownComponent');
  }),
);

test(
  'EVSE and Connector are addressed on their tier; an EVSE or connector that does not exist is UnknownComponent',
  withRig(({ dm }) => {
    assert.is(dm.get({ name: 'EVSE', evse: { id: 1 } }, { name: 'AvailabilityState' }).value, 'Available');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 3 } }, { name: 'AvailabilityState' }).status, 'UnknownComponent');
    assert.is(dm.get({ name: 'EVSE' }, { name: 'AvailabilityState' }).status, 'UnknownComponent');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 1, connectorId: 1 } }, { name: 'Power' }).status, 'UnknownComponent');
    assert.is(dm.get({ name: 'Connector', evse: { id: 2, connectorId: 2 } }, { name: 'SupplyPhases' }).value, '3');
    assert.is(dm.get({ name: 'Connector', evse: { id: 2, connectorId: 1 } }, { name: 'SupplyPhases' }).value, '1');
    assert.is(
      dm.get({ name: 'Connector', evse: { id: 2, connectorId: 3 } }, { name: 'SupplyPhases' }).status,
      'UnknownComponent',
    );
    assert.is(dm.get({ name: 'Connector', evse: { id: 2 } }, { name: 'SupplyPhases' }).status, 'UnknownComponent');
    assert.is(dm.get({ name: 'OCPPCommCtrlr', evse: { id: 1 } }, { name: 'HeartbeatInterval' }).status, 'UnknownComponent');
    assert.is(dm.get({ name: 'Connector', evse: { id: 1, connectorId: 1 } }, { name: 'ConnectorType' }).value, 'sType2');
  }),
);

test(
  'charging infrastructure: station, EVSE and connector values from configuration and runtime',
  withRig(async ({ dm, board }) => {
    const cs = { name: 'ChargingStation' };
    assert.is(dm.get(cs, { name: 'AvailabilityState' }).value, 'Available');
    assert.is(dm.get(cs, { name: 'Available' }).value, 'true');
    assert.is(dm.get(cs, { name: 'SupplyPhases' }).value, '3');
    assert.is(dm.get(cs, { name: 'VendorName' }).value, 'ACME');
    assert.is(dm.get(cs, { name: 'Model' }).value, 'Wallbox-2');
    assert.is(dm.get(cs, { name: 'SerialNumber' }).value, 'ACME-000042');
    assert.is(dm.get(cs, { name: 'FirmwareVersion' }).value, '1.2.3');
    assert.is(dm.get(cs, { name: 'Problem' }).value, 'false');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 2 } }, { name: 'SupplyPhases' }).value, '3');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 1 } }, { name: 'Power' }).value, '0');
    assert.is(dm.get({ name: 'SecurityCtrlr' }, { name: 'Identity' }).value, 'CP-0042');
    assert.is(dm.get({ name: 'SecurityCtrlr' }, { name: 'SecurityProfile' }).value, '1');
    assert.is(dm.get({ name: 'ClockCtrlr' }, { name: 'DateTime' }).value, '2026-03-10T10:15:00.000Z');

    await board.controls.plug(3);
    await board.controls.raiseFault(1, 'overTemperature');
    assert.is(dm.get({ name: 'Connector', evse: { id: 2, connectorId: 2 } }, { name: 'AvailabilityState' }).value, 'Occupied');
    assert.is(dm.get({ name: 'Connector', evse: { id: 2, connectorId: 1 } }, { name: 'AvailabilityState' }).value, 'Available');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 2 } }, { name: 'AvailabilityState' }).value, 'Occupied');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 1 } }, { name: 'AvailabilityState' }).value, 'Faulted');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 1 } }, { name: 'Problem' }).value, 'true');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 2 } }, { name: 'Problem' }).value, 'false');
    assert.is(dm.get(cs, { name: 'Problem' }).value, 'true');
    assert.is(dm.get(cs, { name: 'AvailabilityState' }).value, 'Occupied');
  }),
);

test(
  'ChargingStation.AvailabilityState is Unavailable when the station is set inoperative',
  withRig(({ dm, runtime }) => {
    runtime.setOperative(0, false);
    assert.is(dm.get({ name: 'ChargingStation' }, { name: 'AvailabilityState' }).value, 'Unavailable');
    assert.is(dm.get({ name: 'EVSE', evse: { id: 1 } }, { name: 'AvailabilityState' }).value, 'Unavailable');
  }),
);

test(
  'LocalAuthListCtrlr.Entries: live count, maxLimit from LocalAuthListMaxLength',
  withRig(({ dm, localList }) => {
    const lal = { name: 'LocalAuthListCtrlr' };
    assert.is(dm.get(lal, { name: 'Entries' }).value, '0');
    localList.entries = 17;
    assert.is(dm.get(lal, { name: 'Entries' }).value, '17');
    assert.is(dm.get(lal, { name: 'ItemsPerMessage' }).value, '1000');
  }),
);

test(
  'B05.FR.10 / B05.FR.12 / TC_B_09_CS - Set OfflineThreshold "300" Accepted as Actual and persisted in its setting',
  withRig(({ dm, settings }) => {
    const out = dm.set(OCPP, { name: 'OfflineThreshold' }, '300');
    assert.equal(
      { status: out.status, attributeType: out.attributeType, statusInfo: out.statusInfo },
      { status: 'Accepted', attributeType: 'Actual', statusInfo: undefined },
    );
    assert.is(settings.int('OfflineThreshold'), 300);
    assert.is(dm.set(OCPP, { name: 'OfflineThreshold' }, '45').status, 'Accepted');
    assert.is(settings.int('OfflineThreshold'), 45);
  }),
);

test(
  'B05.FR.04 / B05.FR.05 / B05.FR.06 / TC_B_35_CS / TC_B_36_CS / TC_B_37_CS - UnknownComponent, UnknownVariable, NotSupportedAttributeType',
  withRig(({ dm, settings }) => {
    assert.is(dm.set({ name: 'UnknownComponent' }, { name: 'OfflineThreshold' }, '10').status, 'UnknownComponent');
    assert.is(dm.set(OCPP, { name: 'UnknownVariable' }, '10').status, 'UnknownVariable');
    const target = dm.set(OCPP, { name: 'OfflineThreshold' }, '10', 'Target');
    assert.is(target.status, 'NotSupportedAttributeType');
    assert.is(target.attributeType, 'Target');
    assert.is(settings.int('OfflineThreshold'), 300);
  }),
);

test(
  'B05.FR.09 / TC_B_39_CS - ReadOnly variables are Rejected (reason ReadOnly): MessageTimeout[Default], live values, constants',
  withRig(({ dm, settings }) => {
    const mt = dm.set(OCPP, { name: 'MessageTimeout', instance: 'Default' }, '40');
    assert.equal(
      { status: mt.status, statusInfo: mt.statusInfo },
      {
        status: 'Rejected',
        statusInfo: { reasonCode: 'ReadOnly', additionalInfo: 'OCPPCommCtrlr.MessageTimeout[Default] is read-only' },
      },
    );
    assert.is(settings.int('MessageTimeout'), 30);
    assert.is(dm.set({ name: 'EVSE', evse: { id: 1 } }, { name: 'AvailabilityState' }, 'Unavailable').status, 'Rejected');
    assert.is(dm.set({ name: 'DeviceDataCtrlr' }, { name: 'ItemsPerMessage', instance: 'GetReport' }, '5').status, 'Rejected');
    assert.is(dm.set({ name: 'ReservationCtrlr' }, { name: 'NonEvseSpecific' }, 'false').status, 'Rejected');
    assert.is(dm.set({ name: 'LocalAuthListCtrlr' }, { name: 'ItemsPerMessage' }, '5').status, 'Rejected');
  }),
);

test(
  'B05.FR.07 / TC_B_11_CS - invalidly formatted values for an integer are Rejected with InvalidValue',
  withRig(({ dm, settings }) => {
    for (const value of ['300.1', 'true', '2026-03-10T10:15:00Z', 'abc', '', '0300', '+300', '3e2']) {
      const out = dm.set(OCPP, { name: 'OfflineThreshold' }, value);
      assert.is(out.status, 'Rejected', value);
      assert.equal(
        out.statusInfo,
        { reasonCode: 'InvalidValue', additionalInfo: 'OfflineThreshold must be a whole number' },
        value,
      );
    }
    assert.is(settings.int('OfflineThreshold'), 300);
    const bool = dm.set({ name: 'AuthCtrlr' }, { name: 'AuthorizeRemoteStart' }, '300');
    assert.equal(bool.statusInfo, { reasonCode: 'InvalidValue', additionalInfo: 'AuthorizeRemoteStart must be true or false' });
  }),
);

test(
  'B05.FR.08 - values outside minLimit / maxLimit are Rejected with ValueOutOfRange',
  withRig(({ dm, settings }) => {
    const low = dm.set(OCPP, { name: 'HeartbeatInterval' }, '0');
    assert.equal(low.statusInfo, { reasonCode: 'ValueOutOfRange', additionalInfo: 'HeartbeatInterval must be at least 1' });
    const high = dm.set(OCPP, { name: 'HeartbeatInterval' }, '86401');
    assert.equal(high.statusInfo, { reasonCode: 'ValueOutOfRange', additionalInfo: 'HeartbeatInterval must be at most 86400' });
    const attempts = dm.set(OCPP, { name: 'MessageAttempts', instance: 'TransactionEvent' }, '0');
    assert.equal(attempts.statusInfo, {
      reasonCode: 'ValueOutOfRange',
      additionalInfo: 'MessageAttempts[TransactionEvent] must be at least 1',
    });
    assert.is(dm.set(OCPP, { name: 'OfflineThreshold' }, '-1').status, 'Rejected');
    assert.is(dm.set(OCPP, { name: 'OfflineThreshold' }, '99999999999').statusInfo?.reasonCode, 'ValueOutOfRange');
    assert.is(settings.int('HeartbeatInterval'), 300);
    assert.is(dm.set(OCPP, { name: 'HeartbeatInterval' }, '1').status, 'Accepted');
    assert.is(dm.set(OCPP, { name: 'HeartbeatInterval' }, '86400').status, 'Accepted');
  }),
);

test(
  'MemberList TxCtrlr.TxStartPoint / TxStopPoint: supported members only, no duplicates, not empty; canonical CSV',
  withRig(({ dm, settings }) => {
    const tx = { name: 'TxCtrlr' };
    assert.is(dm.set(tx, { name: 'TxStartPoint' }, 'EVConnected, Authorized').status, 'Accepted');
    assert.equal(settings.list('TxStartPoint'), ['EVConnected', 'Authorized']);
    assert.is(dm.get(tx, { name: 'TxStartPoint' }).value, 'EVConnected,Authorized');
    const signed = dm.set(tx, { name: 'TxStartPoint' }, 'DataSigned');
    assert.equal(signed.statusInfo, {
      reasonCode: 'InvalidValue',
      additionalInfo:
        'TxStartPoint: "DataSigned" is not supported (supported: EVConnected,Authorized,PowerPathClosed,EnergyTransfer)',
    });
    assert.is(dm.set(tx, { name: 'TxStartPoint' }, 'ParkingBayOccupancy').status, 'Rejected');
    assert.equal(dm.set(tx, { name: 'TxStopPoint' }, '').statusInfo, {
      reasonCode: 'InvalidValue',
      additionalInfo: 'TxStopPoint needs at least one member',
    });
    assert.equal(dm.set(tx, { name: 'TxStopPoint' }, 'Authorized,Authorized').statusInfo, {
      reasonCode: 'InvalidValue',
      additionalInfo: 'TxStopPoint lists a member twice',
    });
    for (const malformed of ['EVConnected,,Authorized', ',', 'Authorized,']) {
      assert.equal(dm.set(tx, { name: 'TxStopPoint' }, malformed).statusInfo, {
        reasonCode: 'InvalidValue',
        additionalInfo: 'TxStopPoint has an empty member',
      });
    }
    assert.is(dm.set(tx, { name: 'TxStopPoint' }, ' EVConnected , Authorized ').status, 'Accepted');
    assert.equal(settings.list('TxStopPoint'), ['EVConnected', 'Authorized']);
  }),
);

test(
  'measurand MemberLists: supported measurands only; empty allowed where 2.0.1 allows it',
  withRig(({ dm, settings }) => {
    const sd = { name: 'SampledDataCtrlr' };
    assert.is(dm.set(sd, { name: 'TxUpdatedMeasurands' }, 'Voltage,Current.Import').status, 'Accepted');
    assert.equal(settings.list('MeterValuesSampledData'), ['Voltage', 'Current.Import']);
    assert.is(dm.set(sd, { name: 'TxUpdatedMeasurands' }, 'Energy.Reactive.Import.Register').status, 'Rejected');
    assert.is(dm.set(sd, { name: 'TxEndedMeasurands' }, '').status, 'Accepted');
    assert.equal(settings.list('StopTxnSampledData'), []);
    assert.is(dm.get(sd, { name: 'TxEndedMeasurands' }).value, '');
    assert.is(dm.set({ name: 'AlignedDataCtrlr' }, { name: 'Interval' }, '900').status, 'Accepted');
    assert.is(settings.int('ClockAlignedDataInterval'), 900);
  }),
);

test(
  'SequenceList ClockCtrlr.TimeSource and OCPPCommCtrlr.NetworkConfigurationPriority (RebootRequired)',
  withRig(({ dm, settings }) => {
    const clock = { name: 'ClockCtrlr' };
    assert.is(dm.set(clock, { name: 'TimeSource' }, 'RealTimeClock,Heartbeat').status, 'Accepted');
    assert.equal(settings.list('TimeSource'), ['RealTimeClock', 'Heartbeat']);
    assert.is(dm.set(clock, { name: 'TimeSource' }, 'NTP').status, 'Rejected');
    const prio = dm.set(OCPP, { name: 'NetworkConfigurationPriority' }, '0');
    assert.is(prio.status, 'RebootRequired');
    assert.is(dm.set(OCPP, { name: 'NetworkConfigurationPriority' }, '1,0').status, 'Rejected');
  }),
);

test(
  'strings: maxLimit, minimum length and rule checks; booleans are canonical',
  withRig(({ dm, settings }) => {
    const auth = { name: 'AuthCtrlr' };
    assert.is(dm.set(auth, { name: 'MasterPassGroupId' }, 'M'.repeat(36)).status, 'Accepted');
    assert.equal(dm.set(auth, { name: 'MasterPassGroupId' }, 'M'.repeat(37)).statusInfo, {
      reasonCode: 'ValueOutOfRange',
      additionalInfo: 'MasterPassGroupId must be at most 36 characters',
    });
    const sec = { name: 'SecurityCtrlr' };
    assert.equal(dm.set(sec, { name: 'BasicAuthPassword' }, '0123456789abcde').statusInfo, {
      reasonCode: 'ValueOutOfRange',
      additionalInfo: 'BasicAuthPassword must be at least 16 characters',
    });
    assert.is(dm.set(sec, { name: 'BasicAuthPassword' }, 'p'.repeat(65)).status, 'Rejected');
    assert.is(dm.set(sec, { name: 'BasicAuthPassword' }, 'p'.repeat(64)).status, 'Accepted');
    assert.is(settings.get('BasicAuthPassword'), 'p'.repeat(64));
    assert.is(dm.set(sec, { name: 'OrganizationName' }, 'ACME Charging').status, 'Accepted');
    assert.is(settings.get('CpoName'), 'ACME Charging');
    assert.is(dm.set(sec, { name: 'Identity' }, 'other').status, 'Rejected');

    const clock = { name: 'ClockCtrlr' };
    assert.is(dm.set(clock, { name: 'TimeZone' }, 'Europe/Oslo').status, 'Accepted');
    assert.is(dm.get(clock, { name: 'TimeZone' }).value, 'Europe/Oslo');
    assert.equal(dm.set(clock, { name: 'TimeZone' }, 'Mars/Olympus').statusInfo, {
      reasonCode: 'InvalidValue',
      additionalInfo: 'TimeZone: "Mars/Olympus" is not a known IANA time zone',
    });
    assert.is(dm.get(clock, { name: 'TimeZone' }).value, 'Europe/Oslo');

    assert.is(dm.set(auth, { name: 'LocalPreAuthorize' }, 'TRUE').status, 'Accepted');
    assert.is(dm.get(auth, { name: 'LocalPreAuthorize' }).value, 'true');
    assert.is(dm.set(auth, { name: 'LocalPreAuthorize' }, 'yes').status, 'Rejected');
  }),
);

test(
  'TC_B_07_CS / TC_B_10_CS - AuthCtrlr.LocalAuthorizationOffline / LocalPreAuthorization are accepted spellings of the same variables',
  withRig(({ dm, settings }) => {
    const auth = { name: 'AuthCtrlr' };
    assert.is(dm.set(auth, { name: 'LocalAuthorizationOffline' }, 'false').status, 'Accepted');
    assert.is(settings.bool('LocalAuthorizeOffline'), false);
    assert.is(dm.get(auth, { name: 'LocalAuthorizeOffline' }).value, 'false');
    assert.is(dm.get(auth, { name: 'localauthorizationoffline' }).value, 'false');
    assert.is(dm.set(auth, { name: 'LocalPreAuthorization' }, 'true').status, 'Accepted');
    assert.is(settings.bool('LocalPreAuthorize'), true);
  }),
);

test(
  'check() answers like set() without applying anything',
  withRig(({ dm, settings }) => {
    assert.is(dm.check(OCPP, { name: 'OfflineThreshold' }, '42').status, 'Accepted');
    assert.is(dm.check(OCPP, { name: 'OfflineThreshold' }, 'x').status, 'Rejected');
    assert.is(dm.check(OCPP, { name: 'NetworkConfigurationPriority' }, '0').status, 'RebootRequired');
    assert.is(settings.int('OfflineThreshold'), 300);
  }),
);

test(
  'OCPPCommCtrlr.UnlockOnEVSideDisconnect: ReadWrite with a lockable socket',
  withRig(({ dm, settings }) => {
    assert.is(dm.set(OCPP, { name: 'UnlockOnEVSideDisconnect' }, 'false').status, 'Accepted');
    assert.is(settings.bool('UnlockConnectorOnEVSideDisconnect'), false);
  }),
);

test(
  'OCPPCommCtrlr.UnlockOnEVSideDisconnect: ReadOnly and false with fixed cables only',
  withRig(
    ({ dm, settings }) => {
      assert.is(dm.get(OCPP, { name: 'UnlockOnEVSideDisconnect' }).value, 'false');
      assert.is(settings.bool('UnlockConnectorOnEVSideDisconnect'), true);
      assert.is(dm.set(OCPP, { name: 'UnlockOnEVSideDisconnect' }, 'true').statusInfo?.reasonCode, 'ReadOnly');
    },
    { connectors: TETHERED_ONLY },
  ),
);

test(
  'B05.FR.09 - a write that cannot be applied (storage gone) is Rejected with InternalError and says why',
  withRig(({ dm, db }) => {
    db.close();
    const out = dm.set({ name: 'ClockCtrlr' }, { name: 'TimeZone' }, 'Europe/Oslo');
    assert.is(out.status, 'Rejected');
    assert.equal(out.statusInfo, {
      reasonCode: 'InternalError',
      additionalInfo: 'could not apply ClockCtrlr.TimeZone: The database connection is not open',
    });
  }),
);

test.run();
