import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RpcConfigError, basicAuthHeader, connectionUrl } from '../../../src/ocpp/rpc/index.js';
import { resolveOptions } from '../../../src/ocpp/rpc/options.js';
import { logger } from './fixtures/client.js';
import { schemasFor } from './fixtures/validators.js';

const base = {
  url: 'ws://csms.example.com/ocpp',
  identity: 'CS001',
  protocols: ['ocpp2.0.1', 'ocpp1.6'],
  securityProfile: 0 as const,
  schemasFor,
  callTimeoutMs: 30_000,
  pingIntervalMs: 60_000,
  backoff: { waitMinimumS: 3, randomRangeS: 10, repeatTimes: 3 },
  logger,
};

test('R-J1 / 201-J 3.1.1 - identity appended percent-encoded as the last path segment', () => {
  assert.is(connectionUrl('ws://csms.example.com/ocpp', 'CS001'), 'ws://csms.example.com/ocpp/CS001');
  assert.is(connectionUrl('wss://csms.example.com/ocppj', 'RDAM 123'), 'wss://csms.example.com/ocppj/RDAM%20123');
  assert.is(connectionUrl('ws://h:9000/a', 'x/y?z#é'), 'ws://h:9000/a/x%2Fy%3Fz%23%C3%A9');
});

test('R-J1 - a trailing slash on the endpoint does not produce "//"', () => {
  assert.is(connectionUrl('ws://h/ocpp/', 'CS1'), 'ws://h/ocpp/CS1');
  assert.is(connectionUrl('ws://h/', 'CS1'), 'ws://h/CS1');
  assert.is(connectionUrl('ws://h', 'CS1'), 'ws://h/CS1');
});

test('R-J1 - a query string on the endpoint is kept after the identity', () => {
  assert.is(connectionUrl('ws://h/ocpp?tenant=7', 'CS1'), 'ws://h/ocpp/CS1?tenant=7');
});

test('R-J1 - non-ws schemes, credentials and fragments are refused', () => {
  for (const url of ['http://h/ocpp', 'ftp://h', 'not a url', 'ws://u:p@h/ocpp', 'ws://h/ocpp#x']) {
    assert.throws(() => connectionUrl(url, 'CS1'), (e: unknown) => e instanceof RpcConfigError && e.code === 'config');
  }
});

test('1g / A00.FR.202 - Basic auth header is "Basic " + base64(identity:password), UTF-8', () => {
  assert.is(basicAuthHeader('CS001', 'secret-password-16'), `Basic ${Buffer.from('CS001:secret-password-16').toString('base64')}`);
  assert.is(basicAuthHeader('CS001', 'secret-password-16'), 'Basic Q1MwMDE6c2VjcmV0LXBhc3N3b3JkLTE2');
  assert.is(basicAuthHeader('Zürich-1', 'pässwörd'), `Basic ${Buffer.from('Zürich-1:pässwörd', 'utf8').toString('base64')}`);
  // Bytes (a 1.6 AuthorizationKey decoded from hex) are sent as they are.
  assert.is(basicAuthHeader('CS1', Uint8Array.from([0x00, 0xff])), `Basic ${Buffer.from([0x43, 0x53, 0x31, 0x3a, 0x00, 0xff]).toString('base64')}`);
});

test('defaults: pong timeout = ping interval, handler timeout = call timeout, 1 MiB payload, reconnect on timeout', () => {
  const o = resolveOptions(base);
  assert.is(o.pongTimeoutMs, 60_000);
  assert.is(o.handlerTimeoutMs, 30_000);
  assert.is(o.maxPayloadBytes, 1024 * 1024);
  assert.is(o.reconnectOnTimeout, true);
  assert.is(o.connectionUrl, 'ws://csms.example.com/ocpp/CS001');
});

test('invalid options are refused with a config error naming the option', () => {
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ identity: '' }, 'identity'],
    [{ protocols: [] }, 'protocols'],
    [{ protocols: ['ocpp1.6', 'ocpp1.6'] }, 'duplicate'],
    [{ protocols: ['ocpp 1.6'] }, 'protocols'],
    [{ securityProfile: 2 }, 'securityProfile'],
    [{ securityProfile: 1 }, 'password'],
    [{ securityProfile: 1, password: 'x'.repeat(16), identity: 'a:b' }, 'identity'],
    [{ callTimeoutMs: 0 }, 'callTimeoutMs'],
    [{ pingIntervalMs: -1 }, 'pingIntervalMs'],
    [{ backoff: { waitMinimumS: 1, randomRangeS: 0, repeatTimes: 1.5 } }, 'repeatTimes'],
    [{ maxPayloadBytes: 0 }, 'maxPayloadBytes'],
  ];
  for (const [patch, word] of bad) {
    try {
      resolveOptions({ ...base, ...patch } as never);
      assert.unreachable(`accepted ${JSON.stringify(patch)}`);
    } catch (e) {
      assert.instance(e, RpcConfigError);
      assert.ok((e as Error).message.includes(word), `${(e as Error).message} should name ${word}`);
    }
  }
});

test.run();
