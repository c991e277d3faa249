import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One delivery as the receiver got it, after verifying its signature with the Standard Webhooks library. */
export interface ReceivedDelivery {
  id: string;
  body: string;
  event: { id: string; type: string; sessionId?: string | null; encounterId?: string | null; [field: string]: unknown };
  /** Indexes (into the receiver's `secrets()`) of the secrets whose signature verified. */
  verifiedWith: number[];
  /** What the receiver answered. */
  status: number;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface PushReceiver {
  url: string;
  port: number;
  /** Every request that reached it (verified or not), in arrival order. */
  requests: number;
  /** Deliveries answered 2xx, in the order they arrived. */
  delivered(): ReceivedDelivery[];
  /** Every delivery received, whatever was answered. */
  all(): ReceivedDelivery[];
  /** How to answer from now on. */
  answer(respond: (delivery: ReceivedDelivery) => Answer): void;
  /** Stops listening (connections refused) until start() again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A subscriber endpoint on a real HTTP server. Every request must carry a Standard Webhooks
 * signature that `Webhook.verify` accepts with one of the secrets given (read when the request
 * arrives, so a test can add a rotated secret); one that does not fails the test (answered 400
 * and recorded in `unverified`).
 */
export async function startPushReceiver(
  secrets: () => string[],
  options: { port?: number; answerMs?: number } = {},
): Promise<PushReceiver> {
  const all: ReceivedDelivery[] = [];
  let requests = 0;
  let respond: (delivery: ReceivedDelivery) => Answer = () => ({ status: 204, delayMs: options.answerMs });
  const sockets = new Set<import('node:net').Socket>();
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    requests += 1;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = request.headers as Record<string, string>;
      const verifiedWith = secrets().flatMap((secret, index) => {
        try {
          new Webhook(secret).verify(body, headers);
          return [index];
        } catch {
          return [];
        }
      });
      const delivery: ReceivedDelivery = {
        id: headers['webhook-id'],
        body,
        event: JSON.parse(body) as ReceivedDelivery['event'],
        verifiedWith,
        status: 0,
        at: Date.now(),
      };
      const answer = verifiedWith.length > 0 ? respond(delivery) : { status: 400 };
      delivery.status = answer.status;
      all.push(delivery);
      const send = () => {
        response.writeHead(answer.status, answer.headers);
        response.end();
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  };
  let server: Server = createServer(handler);
  const listen = async (port: number) => {
    server = createServer(handler);
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const port = await listen(options.port ?? 0);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return {
    url: `http://localhost:${port}/hooks`,
    port,
    get requests() {
      return requests;
    },
    delivered: () => all.filter((d) => d.status >= 200 && d.status < 300),
    all: () => all,
    answer: (next) => (respond = next),
    stop,
    start: async () => void (await listen(port)),
    close: stop,
  };
}

export { waitFor } from './waiting';
