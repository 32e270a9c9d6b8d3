import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RpcError } from '../../../src/ocpp/rpc/index.js';
import { record, settle, sleep } from './fixtures/client.js';
import { connectedPair, type Pair } from './fixtures/pair.js';

const inbound = suite('client: received CALLs and bad input');

interface Case {
  name: string;
  send: string;
  /** What to send instead under 2.0.1, where the action's payload differs. */
  send201?: string;
  /** Exact answers expected before the probe's reply, per protocol. */
  v16: unknown[][];
  v201: unknown[][];
}

const CASES: Case[] = [
  {
    name: 'non-JSON',
    send: '[2,"x1","Reset",{',
    v16: [[4, '-1', 'FormationViolation', 'message is not valid JSON', {}]],
    v201: [[4, '-1', 'RpcFrameworkError', 'message is not valid JSON', {}]],
  },
  {
    name: 'non-array',
    send: '{"messageId":"x2"}',
    v16: [[4, '-1', 'FormationViolation', 'message is not a JSON array', {}]],
    v201: [[4, '-1', 'RpcFrameworkError', 'message is not a JSON array', {}]],
  },
  {
    name: 'unreadable id',
    send: '[2,{"id":1},"Reset",{"type":"Soft"}]',
    v16: [[4, '-1', 'FormationViolation', 'message id must be a string of 1 to 36 characters', {}]],
    v201: [[4, '-1', 'RpcFrameworkError', 'message id must be a string of 1 to 36 characters', {}]],
  },
  {
    name: 'wrong arity',
    send: '[2,"x4","Reset"]',
    v16: [[4, 'x4', 'FormationViolation', 'CALL must have 4 elements, got 3', {}]],
    v201: [[4, 'x4', 'FormatViolation', 'CALL must have 4 elements, got 3', {}]],
  },
  {
    name: 'payload not an object',
    send: '[2,"x5","ClearCache",null]',
    v16: [[4, 'x5', 'FormationViolation', 'CALL payload must be a JSON object', {}]],
    v201: [[4, 'x5', 'FormatViolation', 'CALL payload must be a JSON object', {}]],
  },
  {
    name: 'unknown message type',
    send: '[7,"x6",{}]',
    v16: [],
    v201: [[4, 'x6', 'MessageTypeNotSupported', 'message type number 7 is not supported', {}]],
  },
  {
    name: 'unknown action → NotImplemented',
    send: '[2,"x7","MakeCoffee",{}]',
    v16: [[4, 'x7', 'NotImplemented', 'requested action is not known by the receiver', {}]],
    v201: [[4, 'x7', 'NotImplemented', 'requested action is not known by the receiver', {}]],
  },
  {
    name: 'action the CS sends, received from the CSMS → NotImplemented',
    send: '[2,"x8","BootNotification",{}]',
    v16: [[4, 'x8', 'NotImplemented', 'requested action is not known by the receiver', {}]],
    v201: [[4, 'x8', 'NotImplemented', 'requested action is not known by the receiver', {}]],
  },
  {
    name: 'known action without handler → NotSupported',
    send: '[2,"x9","TriggerMessage",{"requestedMessage":"Heartbeat"}]',
    v16: [[4, 'x9', 'NotSupported', 'requested action is recognised but not supported by the receiver', {}]],
    v201: [[4, 'x9', 'NotSupported', 'requested action is recognised but not supported by the receiver', {}]],
  },
  {
    name: 'wrong type → TypeConstraintViolation',
    send: '[2,"x10","UnlockConnector",{"connectorId":"1"}]',
    send201: '[2,"x10","UnlockConnector",{"connectorId":"1","evseId":1}]',
    v16: [[4, 'x10', 'TypeConstraintViolation', 'connectorId must be an integer', { path: '/connectorId' }]],
    v201: [[4, 'x10', 'TypeConstraintViolation', 'connectorId must be an integer', { path: '/connectorId' }]],
  },
  {
    name: 'missing required → OccurrenceConstraintViolation (1.6 spelling OccurenceConstraintViolation)',
    send: '[2,"x11","Reset",{}]',
    v16: [[4, 'x11', 'OccurenceConstraintViolation', 'missing property type', { path: '/type' }]],
    v201: [[4, 'x11', 'OccurrenceConstraintViolation', 'missing property type', { path: '/type' }]],
  },
  {
    name: 'extra property → FormatViolation (1.6 FormationViolation)',
    send: '[2,"x12","ClearCache",{"now":true}]',
    v16: [[4, 'x12', 'FormationViolation', 'unexpected property now', { path: '/now' }]],
    v201: [[4, 'x12', 'FormatViolation', 'unexpected property now', { path: '/now' }]],
  },
  {
    name: 'value outside enum → PropertyConstraintViolation',
    send: '[2,"x13","Reset",{"type":"Sideways"}]',
    v16: [[4, 'x13', 'PropertyConstraintViolation', 'type is not an allowed value', { path: '/type' }]],
    v201: [[4, 'x13', 'PropertyConstraintViolation', 'type is not an allowed value', { path: '/type' }]],
  },
  {
    name: 'handler throws → InternalError',
    send: '[2,"x14","ClearCache",{}]',
    v16: [[4, 'x14', 'InternalError', 'internal error while processing the request', {}]],
    v201: [[4, 'x14', 'InternalError', 'internal error while processing the request', {}]],
  },
  {
    name: 'handler throws RpcError → that code',
    send: '[2,"x15","UnlockConnector",{"connectorId":99}]',
    send201: '[2,"x15","UnlockConnector",{"evseId":1,"connectorId":99}]',
    v16: [[4, 'x15', 'PropertyConstraintViolation', 'no connector 99', { connectorId: 99 }]],
    v201: [[4, 'x15', 'PropertyConstraintViolation', 'no connector 99', { connectorId: 99 }]],
  },
  {
    name: 'handler result invalid → InternalError, never the invalid payload',
    send: '[2,"x16","Reset",{"type":"Hard"}]',
    send201: '[2,"x16","Reset",{"type":"OnIdle"}]',
    v16: [[4, 'x16', 'InternalError', 'internal error while processing the request', {}]],
    v201: [[4, 'x16', 'InternalError', 'internal error while processing the request', {}]],
  },
  {
    name: 'malformed CALLRESULT / CALLERROR and unknown ids → not answered',
    send: '[3,"x17"]',
    v16: [],
    v201: [],
  },
  {
    name: 'CALLERROR with unknown id → not answered',
    send: '[4,"x18","GenericError","",{}]',
    v16: [],
    v201: [],
  },
  {
    name: 'binary frame',
    send: 'BINARY',
    v16: [[4, '-1', 'FormationViolation', 'binary WebSocket frames are not used by OCPP-J', {}]],
    v201: [[4, '-1', 'RpcFrameworkError', 'binary WebSocket frames are not used by OCPP-J', {}]],
  },
];

function installHandlers(p: Pair): void {
  p.client.handle('ClearCache', () => {
    throw new Error('disk on fire');
  });
  p.client.handle('UnlockConnector', (payload: { connectorId: number }) => {
    if (payload.connectorId === 99) {
      throw new RpcError('PropertyConstraintViolation', 'no connector 99', { connectorId: 99 });
    }
    return { status: 'Unlocked' };
  });
  // Reset is the probe: a valid answer for Soft / Immediate, an invalid result for Hard / OnIdle.
  p.client.handle('Reset', (payload: { type: string }) =>
    payload.type === 'Hard' || payload.type === 'OnIdle' ? { status: 'Maybe' } : { status: 'Accepted' },
  );
}

async function runCases(protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<void> {
  const p = await connectedPair({ protocols: [protocol] });
  const errors = record(p.client, 'protocolError');
  try {
    installHandlers(p);
    const probeType = protocol === 'ocpp1.6' ? 'Soft' : 'Immediate';
    let n = 0;
    for (const c of CASES) {
      const expected = protocol === 'ocpp1.6' ? c.v16 : c.v201;
      const text = protocol === 'ocpp2.0.1' ? (c.send201 ?? c.send) : c.send;
      if (text === 'BINARY') p.conn.ws.send(Buffer.from('[2,"b","Reset",{}]'), { binary: true });
      else p.conn.send(text);
      // Probe: a valid CALL after the bad input; its reply proves the connection still works.
      const probeId = `probe-${n++}`;
      p.conn.send([2, probeId, 'Reset', { type: probeType }]);
      const answers: unknown[][] = [];
      for (;;) {
        const m = await p.conn.next();
        if (m[1] === probeId) {
          assert.equal(m, [3, probeId, { status: 'Accepted' }], `${protocol} ${c.name}: probe`);
          break;
        }
        answers.push(m);
      }
      assert.equal(answers, expected, `${protocol} ${c.name}`);
    }
    // And our own CALL still works on the same connection.
    const own = p.client.call('Heartbeat', {});
    const call = await p.conn.next();
    p.conn.send([3, call[1], { currentTime: 'now' }]);
    assert.equal(await own, { currentTime: 'now' });
    assert.is(p.server.conns.length, 1, 'never reconnected over bad input');
    assert.ok(errors.length >= 8, 'bad frames are reported as protocolError events');
  } finally {
    await p.stop();
  }
}

inbound('R-J9 / R-J11 - every bad input gets the exact 1.6 CALLERROR and the connection stays open', async () => {
  await runCases('ocpp1.6');
});

inbound('R-J9 / R-J11 - every bad input gets the exact 2.0.1 CALLERROR and the connection stays open', async () => {
  await runCases('ocpp2.0.1');
});

inbound('handler receives the validated payload and context', async () => {
  const p = await connectedPair({ protocols: ['ocpp2.0.1'] });
  try {
    let seen: unknown = null;
    p.client.handle('UnlockConnector', (payload, ctx) => {
      seen = { payload, ctx };
      return { status: 'Unlocked' };
    });
    p.conn.send([2, 'u1', 'UnlockConnector', { evseId: 1, connectorId: 2 }]);
    assert.equal(await p.conn.next(), [3, 'u1', { status: 'Unlocked' }]);
    assert.equal(seen, { payload: { evseId: 1, connectorId: 2 }, ctx: { messageId: 'u1', protocol: 'ocpp2.0.1' } });
    p.client.removeHandler('UnlockConnector');
    p.conn.send([2, 'u2', 'UnlockConnector', { evseId: 1, connectorId: 2 }]);
    assert.equal(await p.conn.next(), [4, 'u2', 'NotSupported', 'requested action is recognised but not supported by the receiver', {}]);
  } finally {
    await p.stop();
  }
});

inbound('R-B5 / B03.FR.08 - incoming gate: SecurityError (2.0.1 Rejected) and silence (1.6 Rejected)', async () => {
  const p = await connectedPair({ protocols: ['ocpp2.0.1'] });
  try {
    let handled = 0;
    p.client.handle('Reset', () => {
      handled++;
      return { status: 'Accepted' };
    });
    p.client.setIncomingGate((action) => (action === 'Reset' ? new RpcError('SecurityError', 'not accepted yet') : 'ignore'));
    p.conn.send([2, 'g1', 'Reset', { type: 'Immediate' }]);
    assert.equal(await p.conn.next(), [4, 'g1', 'SecurityError', 'not accepted yet', {}]);
    p.conn.send([2, 'g2', 'ClearCache', {}]);
    await sleep(50);
    assert.is(p.conn.received.length, 1, "'ignore' sends no answer at all");
    p.client.setIncomingGate(null);
    p.conn.send([2, 'g3', 'Reset', { type: 'Immediate' }]);
    assert.equal(await p.conn.next(), [3, 'g3', { status: 'Accepted' }]);
    assert.is(handled, 1);
  } finally {
    await p.stop();
  }
});

inbound('a handler that does not answer within handlerTimeoutMs → InternalError; own CALLs are released', async () => {
  const p = await connectedPair({ protocols: ['ocpp2.0.1'], handlerTimeoutMs: 80 });
  try {
    let entered: () => void = () => undefined;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    p.client.handle('Reset', () => {
      entered();
      return new Promise(() => undefined);
    });
    p.conn.send([2, 'h1', 'Reset', { type: 'Immediate' }]);
    await handlerEntered;
    // The own CALL is made while the received CALL is unanswered: it must wait for that reply.
    const own = settle(p.client.call('Heartbeat', {}));
    assert.equal(await p.conn.next(), [4, 'h1', 'InternalError', 'the request could not be processed in time', {}]);
    const c = await p.conn.next();
    assert.is(c[2], 'Heartbeat');
    p.conn.send([3, c[1], { currentTime: 'now' }]);
    assert.equal(await own, { ok: true, value: { currentTime: 'now' } });
  } finally {
    await p.stop();
  }
});

inbound.run();
