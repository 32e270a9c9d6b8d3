import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeClient, nextEvent, record, sleep } from './fixtures/client.js';
import { startServer } from './fixtures/server.js';

const keepalive = suite('client: ping keepalive');

/** A TCP proxy that can silently stop forwarding (a half-open link: nothing closes, nothing arrives). */
async function startProxy(targetPort: number): Promise<{ url: string; setBlackhole(on: boolean): void; close(): Promise<void> }> {
  let blackhole = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    downstream.on('data', (d) => {
      if (!blackhole) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!blackhole) downstream.write(d);
    });
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/ocpp`,
    setBlackhole: (on) => {
      blackhole = on;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

keepalive('R-J14 / R-J6 - pongs arriving keep the link; a silent peer is detected, terminated and reconnected', async () => {
  const server = await startServer();
  const proxy = await startProxy(server.port);
  const client = makeClient(proxy.url, { pingIntervalMs: 40, pongTimeoutMs: 60 });
  const closes = record(client, 'close');
  try {
    const opened = nextEvent(client, 'open');
    client.connect();
    await opened;
    await sleep(200);
    assert.is(closes.length, 0, 'a peer that answers pings is kept');
    // The peer goes silent without closing anything.
    proxy.setBlackhole(true);
    const t0 = Date.now();
    const closed = await nextEvent(client, 'close', 1000);
    const detectedMs = Date.now() - t0;
    assert.is(closed.code, 1006);
    assert.is(closed.willReconnect, true);
    // Next ping at most 40 ms later, then 60 ms without pong.
    assert.ok(detectedMs >= 55 && detectedMs <= 400, `detected after ${detectedMs} ms`);
    proxy.setBlackhole(false);
    await nextEvent(client, 'open');
    assert.is(client.connected, true);
  } finally {
    await client.close();
    await proxy.close();
    await server.close();
  }
});

keepalive('R-J14 - pingIntervalMs 0 sends no pings; updateOptions applies a new interval at once', async () => {
  const server = await startServer();
  const client = makeClient(server.url, { pingIntervalMs: 0 });
  try {
    const opened = nextEvent(client, 'open');
    client.connect();
    const conn = await server.nextConn();
    await opened;
    let pings = 0;
    conn.ws.on('ping', () => pings++);
    await sleep(100);
    assert.is(pings, 0);
    client.updateOptions({ pingIntervalMs: 20 });
    await sleep(110);
    assert.ok(pings >= 2 && pings <= 7, `${pings} pings`);
  } finally {
    await client.close();
    await server.close();
  }
});

keepalive.run();
