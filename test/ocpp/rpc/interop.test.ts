import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ocppRpc from 'ocpp-rpc';
import { RpcError, type RpcClient } from '../../../src/ocpp/rpc/index.js';
import { makeClient, nextEvent, settle } from './fixtures/client.js';
import { AsyncQueue } from './fixtures/server.js';

const { RPCServer, createRPCError } = ocppRpc;

/** The part of ocpp-rpc's RPCServerClient used here (its typings are loose). */
interface PeerClient {
  identity: string;
  protocol: string;
  handshake: { password?: Buffer };
  handle(method: string, handler: (ctx: { params: Record<string, unknown> }) => unknown): void;
  call(method: string, params?: unknown): Promise<unknown>;
  sendRaw(message: string): void;
  on(event: 'message', listener: (e: { message: Buffer | string; outbound: boolean }) => void): void;
}

interface Csms {
  url: string;
  peers: AsyncQueue<PeerClient>;
  close(): Promise<void>;
}

/** An ocpp-rpc CSMS with strict schema validation (its own copies of the OCA schemas). */
async function startCsms(protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<Csms> {
  const server = new RPCServer({ protocols: [protocol], strictMode: true });
  const peers = new AsyncQueue<PeerClient>();
  server.auth((accept, reject, handshake) => {
    if (handshake.password?.toString('utf8') === 'sixteen-chars-pw') accept({});
    else reject(401, 'bad password');
  });
  server.on('client', (client: PeerClient) => peers.push(client));
  const http = await server.listen(0, '127.0.0.1');
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/ocpp/`,
    peers,
    close: () => server.close({ force: true }),
  };
}

const interop = suite('interop with ocpp-rpc RPCServer (strictMode)');

const VERSIONS = {
  'ocpp1.6': {
    boot: { chargePointVendor: 'evsed', chargePointModel: 'interop' },
    reset: { type: 'Soft' },
    badReset: '[2,"bad-1","Reset",{"type":12}]',
    badResetAnswer: [4, 'bad-1', 'TypeConstraintViolation', 'type must be a string', { path: '/type' }],
    missing: '[2,"bad-2","Reset",{}]',
    missingAnswer: [4, 'bad-2', 'OccurenceConstraintViolation', 'missing property type', { path: '/type' }],
  },
  'ocpp2.0.1': {
    boot: { reason: 'PowerUp', chargingStation: { model: 'interop', vendorName: 'evsed' } },
    reset: { type: 'Immediate' },
    badReset: '[2,"bad-1","Reset",{"type":12}]',
    badResetAnswer: [4, 'bad-1', 'TypeConstraintViolation', 'type must be a string', { path: '/type' }],
    missing: '[2,"bad-2","Reset",{}]',
    missingAnswer: [4, 'bad-2', 'OccurrenceConstraintViolation', 'missing property type', { path: '/type' }],
  },
} as const;

for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
  interop(`R-J2 / R-J3 / R-J8 - ${protocol}: both directions pass the peer's strict validation; errors interoperate`, async () => {
    const v = VERSIONS[protocol];
    const csms = await startCsms(protocol);
    const client: RpcClient = makeClient(csms.url, {
      identity: 'CS 42',
      protocols: [protocol],
      securityProfile: 1,
      password: 'sixteen-chars-pw',
    });
    try {
      const opened = nextEvent(client, 'open');
      client.connect();
      const peer = await csms.peers.take(3000, 'ocpp-rpc client');
      assert.equal(await opened, { protocol });
      assert.is(peer.identity, 'CS 42');
      assert.is(peer.protocol, protocol);
      const fromUs = new AsyncQueue<string>();
      peer.on('message', (e) => {
        if (!e.outbound) fromUs.push(e.message.toString());
      });

      // CS → CSMS: request and answer both valid for the real OCA schemas.
      const bootAnswer = { status: 'Accepted', currentTime: '2025-01-01T00:00:00.000Z', interval: 300 };
      peer.handle('BootNotification', () => bootAnswer);
      assert.equal(await client.call('BootNotification', v.boot), bootAnswer);

      // CSMS → CS: our answer passes ocpp-rpc's strict response validation.
      client.handle('Reset', () => ({ status: 'Accepted' }));
      assert.equal(await peer.call('Reset', v.reset), { status: 'Accepted' });
      await fromUs.take(1000, 'boot CALL');
      await fromUs.take(1000, 'Reset CALLRESULT');

      // CSMS → CS, no handler: ocpp-rpc sees NotSupported.
      const notSupported = await settle(peer.call('ClearCache', {}));
      assert.not.ok(notSupported.ok);
      assert.is((notSupported as { error: { rpcErrorCode: string } }).error.rpcErrorCode, 'NotSupported');
      await fromUs.take(1000, 'ClearCache CALLERROR');

      // CSMS → CS, a handler throwing RpcError: the peer receives that code.
      client.handle('Reset', () => {
        throw new RpcError('SecurityError', 'not now');
      });
      const refused = await settle(peer.call('Reset', v.reset));
      assert.is((refused as { error: { rpcErrorCode: string; message: string } }).error.rpcErrorCode, 'SecurityError');
      await fromUs.take(1000, 'Reset CALLERROR');

      // Invalid payloads (sent raw, bypassing the peer's strict mode) get the precise code in this version's spelling.
      peer.sendRaw(v.badReset);
      assert.equal(JSON.parse(await fromUs.take(1000, 'CALLERROR for bad type')), v.badResetAnswer);
      peer.sendRaw(v.missing);
      assert.equal(JSON.parse(await fromUs.take(1000, 'CALLERROR for missing field')), v.missingAnswer);

      // CSMS answers our CALL with a CALLERROR in its own spelling: parsed to the canonical code.
      peer.handle('Heartbeat', () => {
        throw createRPCError(protocol === 'ocpp1.6' ? 'FormationViolation' : 'FormatViolation', 'nope');
      });
      const hb = await settle(client.call('Heartbeat', {}));
      assert.not.ok(hb.ok);
      const err = (hb as { error: unknown }).error;
      assert.instance(err, RpcError);
      assert.is((err as RpcError).code, 'FormatViolation');
      assert.is((err as RpcError).wireCode, protocol === 'ocpp1.6' ? 'FormationViolation' : 'FormatViolation');
      assert.is(client.connected, true);
    } finally {
      await client.close();
      await csms.close();
    }
  });
}

interop('1g - ocpp-rpc refuses a wrong password with 401; the client reports it and retries', async () => {
  const csms = await startCsms('ocpp2.0.1');
  const client = makeClient(csms.url, { protocols: ['ocpp2.0.1'], securityProfile: 1, password: 'wrong-password-16' });
  try {
    const failed = nextEvent(client, 'connectFailed');
    client.connect();
    const f = await failed;
    assert.is(f.httpStatus, 401);
    assert.is(f.delayMs, 10);
  } finally {
    await client.close();
    await csms.close();
  }
});

interop.run();
