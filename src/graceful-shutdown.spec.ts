import { INestApplication, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { createServer, Server } from 'node:http';
import { installGracefulShutdown } from './graceful-shutdown';

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('installGracefulShutdown', () => {
  let server: Server;
  let signals: EventEmitter;
  let clock: number;
  let exits: number[];
  let finishClose: () => void;
  let closed: Promise<void>;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    signals = new EventEmitter();
    clock = 1_000_000;
    exits = [];
    // The application's close() waits for the test, like retrieval finishing its fetches.
    closed = new Promise<void>((resolve) => (finishClose = resolve));
    // get() hands out the ShutdownSignal that shutdown begins with (it wakes long-polls).
    const shutdownSignal = { begin: () => undefined };
    const app = { getHttpServer: () => server, close: () => closed, get: () => shutdownSignal } as unknown as INestApplication;
    installGracefulShutdown(app, {
      timeoutMs: 10_000,
      afterClose: () => Promise.resolve(),
      exit: (code) => exits.push(code),
      now: () => clock,
      signals,
    });
  });

  afterEach(async () => {
    finishClose(); // lets every shutdown finish, clearing its deadline
    await settle();
    server.close();
  });

  it('treats a SIGINT within a second of the first as the same Ctrl-C, and exits 0 once drained', async () => {
    signals.emit('SIGINT', 'SIGINT');
    clock += 5; // npm's forwarded copy
    signals.emit('SIGINT', 'SIGINT');
    clock += 990;
    signals.emit('SIGINT', 'SIGINT');
    await settle();
    expect(exits).toEqual([]);
    finishClose();
    await settle();
    expect(exits).toEqual([0]);
  });

  it('exits 1 at once on a deliberate second Ctrl-C, a second or more after the first', () => {
    signals.emit('SIGINT', 'SIGINT');
    clock += 1_000;
    signals.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([1]);
  });

  it('ignores a repeated SIGTERM however late', async () => {
    signals.emit('SIGTERM', 'SIGTERM');
    clock += 60_000;
    signals.emit('SIGTERM', 'SIGTERM');
    await settle();
    expect(exits).toEqual([]);
    finishClose();
    await settle();
    expect(exits).toEqual([0]);
  });
});
