// Minimal stand-ins for a charging station, used only to test the test CSMS itself
// (csms*.test.ts): an ocpp-rpc RPCClient and a plain `ws` socket for exact bytes.
// Must not: be used to test evsed (evsed is the CS under test there).

import WebSocket from 'ws';
import { RPCClient, type RpcClient } from './rpc-types.js';

export interface FakeCsOptions {
  identity?: string;
  protocols?: string[];
  password?: string;
  /** Strict mode on the CS side; off by default so tests can send invalid payloads. */
  strict?: boolean;
}

/** An ocpp-rpc client connected to url/identity (no reconnects, no pings). */
export async function connectRpcCs(url: string, opts: FakeCsOptions = {}): Promise<RpcClient> {
  const client = new RPCClient({
    endpoint: url,
    identity: opts.identity ?? 'CP-1',
    protocols: opts.protocols ?? ['ocpp1.6'],
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    strictMode: opts.strict ?? false,
    reconnect: false,
    pingIntervalMs: 0,
    callTimeoutMs: 2000,
  });
  await client.connect();
  return client;
}

/** A plain ws connection; resolves once open. Frames received are collected in `received`. */
export async function connectRawCs(url: string, identity: string, protocols: string[]): Promise<{ ws: WebSocket; received: string[]; next: () => Promise<string> }> {
  const ws = new WebSocket(`${url}/${encodeURIComponent(identity)}`, protocols);
  const received: string[] = [];
  const waiting: ((text: string) => void)[] = [];
  ws.on('message', (data) => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    received.push(text);
    waiting.shift()?.(text);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let consumed = 0;
  const next = (): Promise<string> => {
    const index = consumed++;
    const ready = received[index];
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => waiting.push(resolve));
  };
  return { ws, received, next };
}

/** Closes a plain ws connection and waits for the close handshake. */
export async function closeRaw(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}

/** HTTP status of one upgrade attempt: 101 when it opened (then closed again), else the refusal. */
export async function upgradeStatus(url: string, identity: string, opts: { protocols?: string[]; authorization?: string } = {}): Promise<number> {
  const headers: Record<string, string> = {};
  if (opts.authorization !== undefined) headers['authorization'] = opts.authorization;
  const ws = new WebSocket(`${url}/${encodeURIComponent(identity)}`, opts.protocols ?? ['ocpp1.6'], { headers });
  return new Promise<number>((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      ws.once('close', () => resolve(101));
      ws.close();
    });
    ws.once('error', (error) => reject(error));
  });
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
