import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AppConfig } from './config/app-config';

type HttpLimits = AppConfig['http'];

interface Tracking {
  sockets: Set<Socket>;
  shutdownReadGraceMs: number;
}

const TRACKING = new WeakMap<Server, Tracking>();
const CURRENT = Symbol('current response');
type TrackedSocket = Socket & { [CURRENT]?: ServerResponse<IncomingMessage> };

/**
 * Bounds what one client can hold. Node's defaults let a request take 300 s to arrive, its
 * headers 60 s, and any number of connections stay open: a few slow uploads could then pin the
 * process and its shutdown. Call before listen (Node reads the checking interval then).
 */
export function applyServerLimits(server: Server, limits: HttpLimits): void {
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // Both timeouts are enforced by a sweep every connectionsCheckingInterval (30 s by default),
  // which would let a stalled upload outlive its timeout by that much.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1_000, limits.headersTimeoutMs);

  const tracking: Tracking = { sockets: new Set(), shutdownReadGraceMs: limits.shutdownReadGraceMs };
  TRACKING.set(server, tracking);
  server.on('connection', (socket: Socket) => {
    tracking.sockets.add(socket);
    socket.once('close', () => tracking.sockets.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse<IncomingMessage>) => {
    (request.socket as TrackedSocket)[CURRENT] = response;
  });
}

/**
 * For the shutdown drain: after the grace period, closes every connection that is not serving a
 * request it has fully received — those still sending their headers or body, and idle ones. A
 * request that arrived whole is still answered (a notification is committed before its 2xx);
 * one still arriving has been answered nothing, so closing it loses nothing acknowledged, and
 * a stalled upload can no longer hold the drain until the shutdown limit. Returns a stop function.
 */
export function closeReadingSockets(server: Server): () => void {
  const tracking = TRACKING.get(server);
  if (!tracking) return () => undefined;
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    for (const socket of tracking.sockets) if (!isServing(socket)) socket.destroy();
  };
  const grace = setTimeout(() => {
    sweep();
    sweeper = setInterval(sweep, 100);
  }, tracking.shutdownReadGraceMs);
  return () => {
    clearTimeout(grace);
    clearInterval(sweeper);
  };
}

function isServing(socket: TrackedSocket): boolean {
  const response = socket[CURRENT];
  return response !== undefined && !response.writableFinished && response.req.complete;
}
