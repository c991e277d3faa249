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

/**
 * An upload the way curl and most HTTP libraries send one: the head, then `bodyBytes` bytes in
 * paced 64 KiB writes, each waiting for the last, and only then reading the answer. Settles with what
 * the server answered and the socket error the client met (EPIPE, ECONNRESET), if any, once the
 * connection closed.
 */
export function uploadThenRead(baseUrl: string, head: string, bodyBytes: number): Promise<{ response: string; error?: string }> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  let response = '';
  let error: string | undefined;
  socket.pause();
  socket.setEncoding('latin1').on('data', (chunk: string) => (response += chunk));
  socket.on('error', (failure: NodeJS.ErrnoException) => (error ??= failure.code ?? failure.message));
  const closed = new Promise<{ response: string; error?: string }>((resolve) => socket.once('close', () => resolve({ response, error })));
  socket.once('connect', () => {
    void (async () => {
      socket.write(head);
      const chunk = Buffer.alloc(65_536, 0x20);
      for (let sent = 0; sent < bodyBytes && !socket.destroyed; sent += chunk.length) {
        await new Promise<void>((resolve) => socket.write(chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent)), () => resolve()));
        // Paced like a link of about 13 MB/s, so that the answer comes while the upload is still under way.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      socket.resume();
    })();
  });
  return closed;
}
