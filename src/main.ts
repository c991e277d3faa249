import './heap-cap-at-load';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApplication } from './app.setup';
import { installGracefulShutdown } from './graceful-shutdown';
import { createRootLogger, nestLoggerOver } from './logging/root-logger';
import { loadConfig } from './config/load-config';
import { applyHeapPolicy, capNewSpace } from './memory';
import { prepareRuntime, readEnvironment } from './runtime';
import { startupLine } from './startup-line';

async function bootstrap(): Promise<void> {
  // JSON from the first line: what runs before the application (configuration, embedded
  // database, migrations) logs through pino too, until the application's logger takes over.
  Logger.overrideLogger(nestLoggerOver(createRootLogger('info')));
  const logger = new Logger('Bootstrap');
  // `.env` first: the heap policy, like everything else, comes from the validated configuration.
  const config = loadConfig(readEnvironment());
  applyHeapPolicy(config.heapGrowingPercent);
  capNewSpace(config.newSpaceMaxMib);
  const runtime = await prepareRuntime(config);
  try {
    const app = await createApplication(runtime.config);
    installGracefulShutdown(app, {
      timeoutMs: runtime.config.shutdownTimeoutMs,
      drainDelayMs: runtime.config.shutdownDrainDelayMs,
      afterClose: () => runtime.close(),
    });
    await app.listen(runtime.config.port);
    const { port } = app.getHttpServer().address() as AddressInfo;
    runtime.instanceLock?.setPort(port);
    const { suki } = runtime.config;
    logger.log(
      startupLine({
        port,
        devSecretsFile: runtime.devSecretsFile,
        embeddedDatabaseUrl: runtime.embeddedDatabaseUrl,
        sukiSimulatorUrl: suki.simulate ? suki.apiBaseUrl : undefined,
      }),
    );
  } catch (error) {
    await runtime.close().catch(() => undefined);
    throw error;
  }
}

bootstrap().catch((error: unknown) => {
  // Configuration and migration errors carry their own complete message.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
