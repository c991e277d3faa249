import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AllExceptionsFilter, expressErrorHandler } from './common/all-exceptions.filter';
import { AppConfig } from './config/app-config';

/** Options the application must be created with; shared by main.ts and the e2e tests. */
export const APP_OPTIONS = { bodyParser: false, rawBody: true } as const;

/**
 * Everything production wires onto the application, shared with the e2e tests so they run
 * the same pipeline. Initialises the application; the caller only listens.
 */
export async function configureApp(app: INestApplication, config: AppConfig): Promise<void> {
  const express = app as NestExpressApplication;
  // JSON bodies are kept as raw bytes: the signature covers the exact bytes received, and a
  // body that does not parse must still be verified and recorded, not refused by a parser.
  express.useBodyParser('raw', { type: ['application/json', 'application/*+json'], limit: config.webhook.maxBodyBytes });
  express.disable('x-powered-by');
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();
  await app.init();
  // After init, so that it follows the body parser Nest registers during init.
  express.use(expressErrorHandler);
}
