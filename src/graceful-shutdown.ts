import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { ShutdownSignal } from './common/shutdown-signal';
import { closeReadingSockets } from './server-limits';

export interface ShutdownOptions {
  /** Past this (counted from the end of the drain delay), the process exits 1 whatever is still running. */
  timeoutMs: number;
  /**
   * On SIGTERM, how long the listener keeps serving after readiness turned 503, before the drain:
   * the time load balancers need to notice (SHUTDOWN_DRAIN_DELAY_MS). Default 0.
   */
  drainDelayMs?: number;
  /** Stops what was started outside the application (the embedded database), after it closed. */
  afterClose(): Promise<void>;
  exit?: (code: number) => void;
  /** SIGINTs this soon after the first are the same Ctrl-C (default 1000 ms). */
  repeatWindowMs?: number;
  now?: () => number;
  /** Where the signals come from: the process, or a test's emitter. */
  signals?: Pick<NodeJS.EventEmitter, 'on'>;
}

/**
 * On SIGTERM: readiness answers 503 at once, and the listener keeps serving for drainDelayMs. A
 * rolling deployment sends SIGTERM and takes the pod out of the load balancer's endpoints at
 * the same time, but the load balancer learns it only later (kube-proxy, an ingress, a cloud
 * balancer polling readiness); a port closed at once refuses what it still sends, and Suki does
 * not resend a refused notification. SIGINT (Ctrl-C at a terminal) has no such audience and
 * drains at once.
 *
 * Then, and at once on SIGINT: stop accepting connections, let in-flight requests finish (a
 * notification is committed before its answer, so nothing acknowledged is lost), then close the
 * application (the retrieval worker hands back its leases, the pool closes), then the embedded
 * database; exit 0. Nest's own shutdown hooks are not used: they close the pool before the HTTP
 * server, which would fail the requests still in flight, and they exit by re-raising the signal.
 */
export function installGracefulShutdown(app: INestApplication, options: ShutdownOptions): void {
  const logger = new Logger('Shutdown');
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const now = options.now ?? Date.now;
  const repeatWindowMs = options.repeatWindowMs ?? 1_000;
  let started: number | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    if (started !== undefined) {
      // One Ctrl-C under `npm start` arrives twice: the terminal signals the whole foreground
      // process group (npm and node), and npm forwards its own copy. A SIGINT within the window
      // is that same keypress; a later one is a deliberate second Ctrl-C and means "now". A
      // repeated SIGTERM (some supervisors resend) changes nothing.
      if (signal !== 'SIGINT' || now() - started < repeatWindowMs) return logger.warn(`${signal} received again: still draining`);
      logger.warn('SIGINT received again: exiting without waiting');
      return exit(1);
    }
    const since = now();
    started = since;
    app.get(ShutdownSignal, { strict: false }).announce();
    const delayMs = signal === 'SIGTERM' ? (options.drainDelayMs ?? 0) : 0;
    if (delayMs > 0) {
      logger.log(`${signal} received: not ready; still serving for ${delayMs} ms, then draining (at most ${options.timeoutMs} ms)`);
      setTimeout(() => drainNow(since), delayMs);
    } else {
      logger.log(`${signal} received: draining (at most ${options.timeoutMs} ms)`);
      drainNow(since);
    }
  };
  const drainNow = (since: number) => {
    const deadline = setTimeout(() => {
      logger.error(`shutdown unfinished after ${options.timeoutMs} ms: exiting`);
      exit(1);
    }, options.timeoutMs);
    shutDown(app, options, logger)
      .then(() => {
        clearTimeout(deadline);
        logger.log(`shutdown complete in ${now() - since} ms`);
        exit(0);
      })
      .catch((error: unknown) => {
        clearTimeout(deadline);
        logger.error(`shutdown failed: ${error instanceof Error ? error.name : 'error'}`);
        exit(1);
      });
  };
  const signals = options.signals ?? process;
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
}

async function shutDown(app: INestApplication, options: ShutdownOptions, logger: Logger): Promise<void> {
  // Long-polls waiting for events answer now, so draining does not wait out their waitSeconds.
  app.get(ShutdownSignal, { strict: false }).begin();
  await drain(app.getHttpServer() as Server);
  logger.log('http server closed; in-flight requests finished');
  await app.close();
  await options.afterClose();
}

/** Resolves once the server no longer listens and every connection has ended. */
function drain(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // A request already on an open connection is still served, and its connection then closes.
    server.prependListener('request', (_request, response) => response.setHeader('Connection', 'close'));
    // Busy keep-alive connections become idle once their answer is sent; close them then rather
    // than waiting out the keep-alive timeout.
    const sweeper = setInterval(() => server.closeIdleConnections(), 100);
    // A request still arriving (a stalled upload) would otherwise hold the drain until the limit.
    const stopClosingReads = closeReadingSockets(server);
    server.close(() => {
      clearInterval(sweeper);
      stopClosingReads();
      resolve();
    });
  });
}
