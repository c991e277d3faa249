import { connect, Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Settles with what the server sent once it closed the connection (or the client did). */
  closed: Promise<{ response: string; afterMs: number }>;
}

/**
 * A request written byte for byte over a plain socket: the way to send what a well-behaved
 * client never would (a body that stops short, a trickle, raw bytes in a header). Write errors
 * (the server closing while we still send) are expected and ignored.
 */
export function openRaw(baseUrl: string, head: string | Buffer): Promise<RawExchange> {
  const { hostname, port } = new URL(baseUrl);
  const started = Date.now();
  const socket = connect(Number(port), hostname);
  let response = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (response += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<{ response: string; afterMs: number }>((resolve) =>
    socket.once('close', () => resolve({ response, afterMs: Date.now() - started })),
  );
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(head);
      resolve({ socket, received: () => response, closed });
    });
  });
}

/** The request head of a POST to the webhook, with the headers given (values as raw text). */
export function webhookHead(baseUrl: string, contentLength: number, headers: Record<string, string>): string {
  const { host } = new URL(baseUrl);
  const lines = Object.entries({ 'Content-Type': 'application/json', 'Content-Length': String(contentLength), ...headers }).map(
    ([name, value]) => `${name}: ${value}\r\n`,
  );
  return `POST /webhooks/notification HTTP/1.1\r\nHost: ${host}\r\n${lines.join('')}\r\n`;
}

/** Settles with the value, or with `fallback` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);
}
