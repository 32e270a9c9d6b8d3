/**
 * OCPP-J transport: WebSocket ping keepalive (R-J14, R-J6).
 *
 * Owns: sending a ping every interval on one open socket and declaring the peer dead when no pong
 * arrives within the pong timeout. Must not: terminate or reconnect itself; it calls `onDead`.
 */

import type { WebSocket } from 'ws';

export class Keepalive {
  private ws: WebSocket | null = null;
  private intervalTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private readonly onPong = (): void => this.clearPongTimer();

  constructor(private readonly onDead: (silentMs: number) => void) {}

  /** Starts pinging `ws`; `intervalMs` 0 disables pings. Replaces any earlier socket. */
  start(ws: WebSocket, intervalMs: number, pongTimeoutMs: number): void {
    this.stop();
    this.ws = ws;
    ws.on('pong', this.onPong);
    if (intervalMs <= 0) return;
    this.intervalTimer = setInterval(() => this.ping(pongTimeoutMs), intervalMs);
  }

  /** Applies a new interval / timeout to the current socket at once. */
  restart(intervalMs: number, pongTimeoutMs: number): void {
    const ws = this.ws;
    if (ws !== null) this.start(ws, intervalMs, pongTimeoutMs);
  }

  stop(): void {
    if (this.intervalTimer !== null) clearInterval(this.intervalTimer);
    this.intervalTimer = null;
    this.clearPongTimer();
    this.ws?.off('pong', this.onPong);
    this.ws = null;
  }

  private ping(pongTimeoutMs: number): void {
    const ws = this.ws;
    if (ws === null || ws.readyState !== ws.OPEN) return;
    // A ping still unanswered keeps its own deadline; no second timer.
    if (this.pongTimer === null) {
      this.pongTimer = setTimeout(() => {
        this.pongTimer = null;
        this.onDead(pongTimeoutMs);
      }, pongTimeoutMs);
    }
    ws.ping();
  }

  private clearPongTimer(): void {
    if (this.pongTimer !== null) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }
}
