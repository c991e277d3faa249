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
    // get(): what shutdown looks up in the application (the ShutdownSignal that wakes long-polls).
    const app = {
      getHttpServer: () => server,
      close: () => closed,
      get: () => ({ begin: () => undefined, announce: () => undefined }),
    } as unknown as INestApplication;
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

describe('installGracefulShutdown with a drain delay', () => {
  const DELAY_MS = 300;
  let server: Server;
  let signals: EventEmitter;
  let exits: number[];
  let steps: string[];

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    signals = new EventEmitter();
    exits = [];
    steps = [];
    const shutdownSignal = { announce: () => steps.push('not ready'), begin: () => steps.push('drain') };
    const app = { getHttpServer: () => server, close: () => Promise.resolve(), get: () => shutdownSignal } as unknown as INestApplication;
    installGracefulShutdown(app, {
      timeoutMs: 10_000,
      drainDelayMs: DELAY_MS,
      afterClose: () => Promise.resolve(),
      exit: (code) => exits.push(code),
      signals,
    });
  });

  afterEach(() => {
    if (server.listening) server.close();
  });

  it('on SIGTERM turns readiness down at once and keeps listening for the delay, then drains and exits 0', async () => {
    signals.emit('SIGTERM', 'SIGTERM');
    expect(steps).toEqual(['not ready']);
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS / 2));
    expect(server.listening).toBe(true);
    expect(steps).toEqual(['not ready']);
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
    await settle();
    expect(steps).toEqual(['not ready', 'drain']);
    expect(server.listening).toBe(false);
    expect(exits).toEqual([0]);
  });

  it('on SIGINT (Ctrl-C at a terminal) drains at once', async () => {
    signals.emit('SIGINT', 'SIGINT');
    expect(steps).toEqual(['not ready', 'drain']);
    await settle();
    expect(exits).toEqual([0]);
  });
});
