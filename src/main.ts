import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApplication } from './app.setup';
import { prepareRuntime, readEnvironment } from './runtime';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const runtime = await prepareRuntime(readEnvironment());
  const app = await createApplication(runtime.config);
  app.getHttpServer().on('close', () => void runtime.close());
  await app.listen(runtime.config.port);
  logger.log(`listening on port ${runtime.config.port}`);
}

bootstrap().catch((error: unknown) => {
  // Configuration and migration errors carry their own complete message.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
