/**
 * End-to-end scenarios of the foundation, shared by both protocol versions: the real evsed process
 * on the simulated board against the ocpp-rpc strict CSMS. Each `*.test.ts` in this folder runs
 * them for one version. Test names cite the rule (ocpp-rules.md ids) they check.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms, type RecordedMessage } from '../peers/csms.js';
import { EvsedProcess, eventually } from '../support/evsed.js';
import type { StatusResult } from '../../src/control/types.js';

type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

interface Ctx {
  csms: TestCsms;
  evsed: EvsedProcess;
}

const is16 = (p: Protocol) => p === 'ocpp1.6';

/** Connector status carried by a StatusNotification, whatever the version. */
export function reportedStatus(m: RecordedMessage): string {
  return m.payload.status ?? m.payload.connectorStatus;
}

/** Connector a StatusNotification is about (1.6 connectorId; 2.0.1 evseId, whose only connector is 1). */
export function reportedConnector(m: RecordedMessage): number {
  return m.payload.connectorId !== undefined && m.payload.evseId === undefined ? m.payload.connectorId : m.payload.evseId;
}

async function start(protocol: Protocol, csmsOpts: Parameters<typeof TestCsms.start>[0] = {}, evsedOpts: Partial<ConstructorParameters<typeof EvsedProcess>[0]> = {}): Promise<Ctx> {
  const csms = await TestCsms.start({ protocols: [protocol], ...csmsOpts });
  const evsed = new EvsedProcess({ csmsUrl: csms.url, protocols: [protocol], connectors: 2, ...evsedOpts });
  try {
    await evsed.start();
  } catch (err) {
    await evsed.dispose();
    await csms.stop();
    throw err;
  }
  return { csms, evsed };
}

async function stop(ctx: Ctx | undefined): Promise<void> {
  if (!ctx) return;
  await ctx.evsed.dispose();
  await ctx.csms.stop();
}

export function foundationSuite(protocol: Protocol): void {
  const test = suite<{ ctx?: Ctx }>(`foundation ${protocol}`);
  test.after.each(async (c) => {
    await stop(c.ctx);
    c.ctx = undefined;
  });

  test('R-B1/R-B2 - BootNotification is the first message; then StatusNotification for every connector (1.6 with connector 0)', async (c) => {
    c.ctx = await start(protocol);
    const { csms } = c.ctx;
    const boot = await csms.waitForCall('BootNotification');
    const first = csms.messages.find((m) => m.direction === 'cs→csms' && m.type === 'CALL');
    assert.is(first?.action, 'BootNotification');
    if (is16(protocol)) {
      assert.is(boot.payload.chargePointVendor, 'evsed-test');
      assert.is(boot.payload.chargePointSerialNumber, 'SN-TEST-0001');
    } else {
      assert.is(boot.payload.reason, 'PowerUp');
      assert.is(boot.payload.chargingStation.vendorName, 'evsed-test');
    }
    const expected = is16(protocol) ? [0, 1, 2] : [1, 2];
    await eventually(() => csms.calls('StatusNotification').length >= expected.length, 5000, 'status notifications');
    const statuses = csms.calls('StatusNotification');
    assert.equal(statuses.map(reportedConnector).sort(), expected);
    assert.ok(statuses.every((m) => reportedStatus(m) === 'Available'));
    // Every status came after the BootNotification was answered.
    const answer = csms.messages.find((m) => m.type === 'CALLRESULT' && m.action === 'BootNotification')!;
    assert.ok(statuses.every((m) => m.seq > answer.seq));
    assert.equal(csms.violations(), []);
  });

  test('R-B3 - Heartbeat at the interval from the CSMS; the clock follows the CSMS', async (c) => {
    const skewMs = 3_600_000;
    const skewed = () => new Date(Date.now() + skewMs).toISOString();
    c.ctx = await start(protocol, {
      boot: (_payload: unknown) => ({ status: 'Accepted', interval: 1, currentTime: skewed() }),
      handlers: { Heartbeat: () => ({ currentTime: skewed() }) },
    });
    const { csms, evsed } = c.ctx;
    const since = csms.mark();
    const hb = await csms.waitForCall('Heartbeat', { since, timeoutMs: 4000 });
    const boot = csms.calls('BootNotification')[0]!;
    const gapMs = hb.at - csms.messages.filter((m) => m.seq < hb.seq && m.direction === 'cs→csms').at(-1)!.at;
    assert.ok(gapMs >= 900 && gapMs < 2500, `heartbeat came ${gapMs} ms after the last message`);
    assert.ok(hb.at - boot.at < 4000);
    const status: StatusResult = await evsed.ctl('status');
    assert.ok(Math.abs(status.clock.offsetMs - skewMs) < 2000, `offset ${status.clock.offsetMs}`);
    const note = csms.calls('StatusNotification')[0]!;
    assert.ok(Math.abs(Date.parse(note.payload.timestamp) - (note.at + skewMs)) < 2000, 'StatusNotification timestamp in CSMS time');
  });

  test('R-B4 - Pending: no other message until accepted; BootNotification repeated after the interval', async (c) => {
    c.ctx = await start(protocol, { boot: { status: 'Pending', interval: 1 } });
    const { csms } = c.ctx;
    await csms.waitForCall('BootNotification');
    const second = await csms.waitForCall('BootNotification', { since: csms.calls('BootNotification')[0]!.seq + 1, timeoutMs: 3000 });
    const first = csms.calls('BootNotification')[0]!;
    assert.ok(second.at - first.at >= 900, `re-sent after ${second.at - first.at} ms`);
    assert.equal(csms.calls().filter((m) => m.action !== 'BootNotification'), []);
    csms.setBoot({ status: 'Accepted', interval: 300 });
    await csms.waitForCall('StatusNotification', { timeoutMs: 3000 });
  });

  test(`R-B5 - Rejected: ${is16(protocol) ? 'CSMS requests get no answer (1.6 §4.2)' : 'CSMS requests get CALLERROR SecurityError (B03.FR.08)'}`, async (c) => {
    c.ctx = await start(protocol, { boot: { status: 'Rejected', interval: 30 } });
    const { csms } = c.ctx;
    await csms.waitForCall('BootNotification');
    await new Promise((r) => setTimeout(r, 200));
    const action = is16(protocol) ? 'GetConfiguration' : 'GetVariables';
    const payload = is16(protocol) ? {} : { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] };
    try {
      await csms.call(action, payload, undefined, { timeoutMs: 1000 });
      assert.unreachable('the request was answered');
    } catch (err: any) {
      if (is16(protocol)) assert.is(err.kind, 'TIMEOUT');
      else {
        assert.is(err.kind, 'CALLERROR');
        assert.is(err.errorCode, 'SecurityError');
      }
    }
    assert.equal(csms.calls().filter((m) => m.action !== 'BootNotification'), []);
  });

  test('R-J9 - unknown action gets NotImplemented, a known one without support NotSupported; the link stays up', async (c) => {
    c.ctx = await start(protocol);
    const { csms } = c.ctx;
    await csms.waitForCall('StatusNotification');
    const errorsFor = (id: string) =>
      csms
        .rawReceived()
        .map((t) => JSON.parse(t) as unknown[])
        .filter((f) => f[0] === 4 && f[1] === id);
    csms.sendRaw('[2,"x-1","FlyToTheMoon",{}]');
    await eventually(() => errorsFor('x-1').length === 1, 2000, 'answer to x-1');
    assert.equal(errorsFor('x-1')[0]!.slice(0, 3), [4, 'x-1', 'NotImplemented']);
    csms.sendRaw('not json at all');
    await eventually(() => errorsFor('-1').length === 1, 2000, 'answer with id -1');
    assert.equal(errorsFor('-1')[0]!.slice(0, 3), [4, '-1', is16(protocol) ? 'FormationViolation' : 'RpcFrameworkError']);
    // Still connected: a regular request is answered.
    const action = is16(protocol) ? 'ClearCache' : 'ClearCache';
    try {
      await csms.call(action, {}, undefined, { timeoutMs: 2000 });
    } catch (err: any) {
      // Until the feature exists it is refused precisely, not dropped.
      assert.is(err.kind, 'CALLERROR');
      assert.is(err.errorCode, 'NotSupported');
    }
    assert.is(csms.connections.filter((x) => x.closedAt === undefined).length, 1);
  });

  test('session: plug in, swipe, charge, unplug — status follows every change', async (c) => {
    c.ctx = await start(protocol, {}, { timeScale: 60 });
    const { csms, evsed } = c.ctx;
    await eventually(() => csms.calls('StatusNotification').length >= (is16(protocol) ? 3 : 2), 5000, 'initial statuses');
    const since = csms.mark();
    await evsed.ctl('sim.plug', { connector: 1 });
    const swipe = await evsed.ctl('sim.swipe', { token: 'CARD-0001', connector: 1 });
    assert.is(swipe.action, 'started');
    const auth = await csms.waitForCall('Authorize', { since });
    assert.is(is16(protocol) ? auth.payload.idTag : auth.payload.idToken.idToken, 'CARD-0001');
    await eventually(async () => (await evsed.ctl<StatusResult>('status')).connectors[0]!.state === 'charging', 3000, 'charging');
    await eventually(async () => (await evsed.ctl<StatusResult>('status')).connectors[0]!.powerW > 1000, 3000, 'power');
    await evsed.ctl('sim.unplug', { connector: 1 });
    await eventually(async () => (await evsed.ctl<StatusResult>('status')).connectors[0]!.state === 'available', 3000, 'available');
    await eventually(() => csms.calls('StatusNotification').filter((m) => m.seq >= since && reportedStatus(m) === 'Available').length > 0, 3000, 'Available reported');
    const seq = csms
      .calls('StatusNotification')
      .filter((m) => m.seq >= since && reportedConnector(m) === 1)
      .map(reportedStatus);
    assert.equal(seq, is16(protocol) ? ['Preparing', 'SuspendedEV', 'Charging', 'Available'] : ['Occupied', 'Available']);
    assert.equal(csms.violations(), []);
  });

  test('R-B9 - reconnect after a CSMS restart: no new BootNotification; only changed statuses re-sent', async (c) => {
    c.ctx = await start(protocol, {}, { settings: { RetryBackOffWaitMinimum: 0, RetryBackOffRandomRange: 0 } });
    const { csms, evsed } = c.ctx;
    await eventually(() => csms.calls('StatusNotification').length >= (is16(protocol) ? 3 : 2), 5000, 'initial statuses');
    await csms.restart({ downMs: 300 });
    await evsed.ctl('sim.plug', { connector: 2 }).catch(() => undefined);
    await csms.waitForClient(undefined, 8000);
    await eventually(() => csms.calls('StatusNotification').some((m) => reportedConnector(m) === 2 && reportedStatus(m) !== 'Available'), 8000, 'status of connector 2');
    await new Promise((r) => setTimeout(r, 300));
    assert.is(csms.calls('BootNotification').length, 1);
    const afterRestart = csms.calls('StatusNotification').filter((m) => m.connection > 0);
    assert.equal(afterRestart.map(reportedConnector), [2]);
  });

  test.run();
}
