/**
 * `evsectl csms check`: step-by-step diagnosis of the connection to the CSMS, the commonest field
 * problem. Steps: URL, DNS, TCP, TLS (certificate chain, expiry, name), WebSocket upgrade and HTTP
 * status, the subprotocol agreed, basic auth, BootNotification. Each gets a verdict and a detail
 * that points at the cause; the first failure ends the check (later steps are `skip`).
 *
 * When evsed is connected right now, the identifying steps (upgrade, subprotocol, auth, boot) are
 * reported from the live connection instead of opening a second one with the same identity,
 * which many CSMSs treat as a takeover of the first. Must not: change the live connection.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { WebSocket } from 'ws';
import { basicAuthHeader, connectionUrl } from './rpc/index.js';

export type Verdict = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckStep {
  step: 'url' | 'dns' | 'tcp' | 'tls' | 'upgrade' | 'subprotocol' | 'auth' | 'boot';
  verdict: Verdict;
  detail: string;
  ms: number;
}

export interface CheckInput {
  url: string;
  identity: string;
  protocols: string[];
  securityProfile: number;
  password?: string;
  /** Extra CA certificates (PEM) trusted for wss. */
  ca?: string;
  /** Registration request body for the agreed protocol. */
  bootPayload(protocol: string): object;
  /** The live connection, if evsed is connected now. */
  live: { protocol: string; registration: string } | null;
  timeoutMs?: number;
}

export interface CheckResult {
  ok: boolean;
  url: string;
  steps: CheckStep[];
}

const TLS_HINTS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the CSMS certificate has expired',
  CERT_NOT_YET_VALID: 'the CSMS certificate is not valid yet (check the board clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is not issued for this host name',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in an untrusted self-signed root',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the issuer of the certificate is not trusted (missing intermediate or CA)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer of the certificate is not trusted (missing CA)',
};

export async function checkCsms(input: CheckInput): Promise<CheckResult> {
  const timeoutMs = input.timeoutMs ?? 5000;
  const steps: CheckStep[] = [];
  let failed = false;
  const run = async (step: CheckStep['step'], fn: () => Promise<{ verdict: Verdict; detail: string }>) => {
    if (failed) {
      steps.push({ step, verdict: 'skip', detail: 'not reached', ms: 0 });
      return;
    }
    const t0 = Date.now();
    try {
      const r = await fn();
      steps.push({ step, ...r, ms: Date.now() - t0 });
      if (r.verdict === 'fail') failed = true;
    } catch (err) {
      steps.push({ step, verdict: 'fail', detail: (err as Error).message, ms: Date.now() - t0 });
      failed = true;
    }
  };

  let target: URL | null = null;
  let full = input.url;
  await run('url', async () => {
    full = connectionUrl(input.url, input.identity);
    target = new URL(full);
    if (target.protocol !== 'ws:' && target.protocol !== 'wss:') return { verdict: 'fail', detail: `${target.protocol} is not ws: or wss:` };
    return { verdict: 'pass', detail: full };
  });
  const u = () => target as unknown as URL;
  const host = () => u().hostname.replace(/^\[|\]$/g, '');
  const port = () => Number(u().port || (u().protocol === 'wss:' ? 443 : 80));

  await run('dns', async () => {
    if (net.isIP(host())) return { verdict: 'pass', detail: `${host()} is an address` };
    try {
      const addrs = await lookup(host(), { all: true });
      return { verdict: 'pass', detail: `${host()} → ${addrs.map((a) => a.address).join(', ')}` };
    } catch (err) {
      return { verdict: 'fail', detail: `${host()} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check the host name and the board's DNS` };
    }
  });

  await run('tcp', () =>
    new Promise((resolve) => {
      const socket = net.connect({ host: host(), port: port() });
      const done = (r: { verdict: Verdict; detail: string }) => {
        socket.destroy();
        resolve(r);
      };
      socket.setTimeout(timeoutMs, () => done({ verdict: 'fail', detail: `no answer from ${host()}:${port()} within ${timeoutMs} ms (firewall? wrong port?)` }));
      socket.once('connect', () => done({ verdict: 'pass', detail: `connected to ${socket.remoteAddress}:${port()}` }));
      socket.once('error', (err: NodeJS.ErrnoException) =>
        done({
          verdict: 'fail',
          detail: err.code === 'ECONNREFUSED' ? `${host()}:${port()} refused the connection: nothing listens there` : `${err.code ?? err.message}`,
        }),
      );
    }),
  );

  await run('tls', () => {
    if (u().protocol !== 'wss:') return Promise.resolve({ verdict: 'skip' as Verdict, detail: 'ws:// — no TLS (security profile 0/1 on a trusted network only)' });
    return new Promise((resolve) => {
      const socket = tls.connect({ host: host(), port: port(), servername: net.isIP(host()) ? undefined : host(), ...(input.ca ? { ca: input.ca } : {}), rejectUnauthorized: false });
      socket.setTimeout(timeoutMs, () => {
        socket.destroy();
        resolve({ verdict: 'fail', detail: 'TLS handshake timed out' });
      });
      socket.once('error', (err) => resolve({ verdict: 'fail', detail: `TLS handshake failed: ${err.message}` }));
      socket.once('secureConnect', () => {
        const cert = socket.getPeerCertificate(true);
        const chain: string[] = [];
        for (let c: tls.DetailedPeerCertificate | undefined = cert; c && c.subject && chain.length < 6; c = c.issuerCertificate === c ? undefined : c.issuerCertificate) {
          chain.push(c.subject.CN ? String(c.subject.CN) : JSON.stringify(c.subject));
        }
        const daysLeft = Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000);
        const code = socket.authorizationError ? String((socket.authorizationError as Error & { code?: string }).code ?? socket.authorizationError) : null;
        const nameError = net.isIP(host()) ? undefined : tls.checkServerIdentity(host(), cert);
        socket.destroy();
        const info = `${socket.getProtocol() ?? 'TLS'}, chain ${chain.join(' ← ')}, expires ${cert.valid_to} (${daysLeft} days)`;
        if (code) return resolve({ verdict: 'fail', detail: `${TLS_HINTS[code] ?? code}; ${info}` });
        if (nameError) return resolve({ verdict: 'fail', detail: `${TLS_HINTS.ERR_TLS_CERT_ALTNAME_INVALID}: ${nameError.message}; ${info}` });
        if (daysLeft < 14) return resolve({ verdict: 'warn', detail: `certificate expires soon; ${info}` });
        resolve({ verdict: 'pass', detail: info });
      });
    });
  });

  if (input.live) {
    const live = input.live;
    await run('upgrade', async () => ({ verdict: 'pass', detail: 'evsed is connected now (checked on the live connection)' }));
    await run('subprotocol', async () => ({ verdict: 'pass', detail: `${live.protocol} agreed` }));
    await run('auth', async () => ({ verdict: input.securityProfile >= 1 ? 'pass' : 'skip', detail: input.securityProfile >= 1 ? 'basic auth accepted' : 'no authentication configured (profile 0)' }));
    await run('boot', async () => ({
      verdict: live.registration === 'accepted' ? 'pass' : live.registration === 'rejected' ? 'fail' : 'warn',
      detail: `registration ${live.registration}`,
    }));
    return { ok: !failed, url: full, steps };
  }

  let ws: WebSocket | null = null;
  let httpStatus: number | null = null;
  let picked: string | null = null;
  await run('upgrade', () =>
    new Promise((resolve) => {
      const headers: Record<string, string> = {};
      if (input.securityProfile >= 1 && input.password) headers.Authorization = basicAuthHeader(input.identity, input.password);
      const socket = new WebSocket(full, input.protocols, { headers, handshakeTimeout: timeoutMs, ...(input.ca ? { ca: input.ca } : {}) });
      socket.once('unexpected-response', (_req, res) => {
        httpStatus = res.statusCode ?? null;
        const hint =
          httpStatus === 401 ? 'basic auth refused' : httpStatus === 404 ? 'the CSMS does not know this identity or path' : 'the CSMS refused the upgrade';
        socket.terminate();
        resolve({ verdict: httpStatus === 401 ? 'pass' : 'fail', detail: `HTTP ${httpStatus}: ${hint}` });
      });
      socket.once('open', () => {
        ws = socket;
        resolve({ verdict: 'pass', detail: 'HTTP 101 switching protocols' });
      });
      socket.once('error', (err) => {
        if (httpStatus !== null) return;
        // ws refuses a 101 answer that names no (or an unoffered) subprotocol: the upgrade itself worked.
        const sub = /subprotocol/i.exec(err.message);
        if (sub) {
          picked = /Server sent an invalid subprotocol/i.test(err.message) ? 'an unoffered one' : '';
          resolve({ verdict: 'pass', detail: 'HTTP 101 switching protocols' });
          return;
        }
        resolve({ verdict: 'fail', detail: `upgrade failed: ${err.message}` });
      });
    }),
  );
  await run('subprotocol', async () => {
    if (httpStatus === 401) return { verdict: 'skip', detail: 'not reached (authentication refused)' };
    const agreed = picked ?? (ws as WebSocket | null)?.protocol ?? '';
    if (!agreed) return { verdict: 'fail', detail: `the CSMS accepted none of ${input.protocols.join(', ')}` };
    if (!input.protocols.includes(agreed)) return { verdict: 'fail', detail: `the CSMS picked ${agreed}, which evsed did not offer` };
    return { verdict: 'pass', detail: `${agreed} agreed` };
  });
  await run('auth', async () => {
    if (httpStatus === 401) return { verdict: 'fail', detail: `basic auth refused for user ${input.identity}: check csms.password / the CSMS's record` };
    return input.securityProfile >= 1 ? { verdict: 'pass', detail: `basic auth accepted for user ${input.identity}` } : { verdict: 'skip', detail: 'no authentication configured (profile 0)' };
  });
  await run('boot', () =>
    new Promise((resolve) => {
      const socket = ws as WebSocket | null;
      if (!socket) return resolve({ verdict: 'fail', detail: 'no connection' });
      const id = `check-${Date.now()}`;
      const timer = setTimeout(() => resolve({ verdict: 'fail', detail: `no answer to BootNotification within ${timeoutMs} ms` }), timeoutMs);
      socket.on('message', (data) => {
        let frame: unknown[];
        try {
          frame = JSON.parse(String(data)) as unknown[];
        } catch {
          return;
        }
        if (frame[1] !== id) return;
        clearTimeout(timer);
        if (frame[0] === 4) return resolve({ verdict: 'fail', detail: `CALLERROR ${String(frame[2])}: ${String(frame[3])}` });
        const answer = frame[2] as { status?: string; currentTime?: string };
        const skewS = answer.currentTime ? Math.round((Date.parse(answer.currentTime) - Date.now()) / 1000) : null;
        const clock = skewS === null ? '' : `; CSMS clock ${skewS >= 0 ? '+' : ''}${skewS} s from the board's`;
        const verdict: Verdict = answer.status === 'Accepted' ? 'pass' : answer.status === 'Pending' ? 'warn' : 'fail';
        resolve({ verdict, detail: `BootNotification ${answer.status ?? '?'}${clock}` });
      });
      socket.send(JSON.stringify([2, id, 'BootNotification', input.bootPayload(socket.protocol)]));
    }),
  );
  (ws as WebSocket | null)?.close(1000, 'check done');
  return { ok: !failed && !steps.some((s) => s.verdict === 'fail'), url: full, steps };
}

/** The BootNotification a check sends, in the agreed protocol's form. */
export function bootRequestFor(protocol: string, station: { vendor: string; model: string; serialNumber?: string; firmwareVersion: string }): object {
  if (protocol === 'ocpp1.6') {
    return {
      chargePointVendor: station.vendor,
      chargePointModel: station.model,
      ...(station.serialNumber ? { chargePointSerialNumber: station.serialNumber } : {}),
      firmwareVersion: station.firmwareVersion,
    };
  }
  return {
    reason: 'PowerUp',
    chargingStation: {
      vendorName: station.vendor,
      model: station.model,
      ...(station.serialNumber ? { serialNumber: station.serialNumber } : {}),
      firmwareVersion: station.firmwareVersion,
    },
  };
}
