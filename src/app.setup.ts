import { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { raw } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Server } from 'node:http';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AllExceptionsFilter, expressErrorHandler } from './common/all-exceptions.filter';
import { setupOpenApi } from './common/openapi';
import { AppConfig } from './config/app-config';
import { ConsoleSecurity } from './console/console-security';
import { HttpLogging } from './logging/http-logging';
import { requestLatencyMiddleware } from './metrics/request-latency.middleware';
import { MetricsService } from './metrics/metrics.service';
import { API_MAX_BODY_BYTES, BearerHeadersMiddleware } from './api/bearer-headers.middleware';
import { applyServerLimits } from './server-limits';
import { NOTIFICATION_CONTENT_TYPES, SignatureHeadersMiddleware } from './webhooks/signature-headers.middleware';

/**
 * Creates and initialises the application exactly as production runs it; main.ts and the
 * e2e tests both come through here. The caller only listens.
 */
export async function createApplication(config: AppConfig, logger?: LoggerService | LogLevel[] | false): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), new ExpressAdapter(), {
    bodyParser: false,
    rawBody: true,
    // Without an explicit logger (production), everything Nest logs goes through pino as JSON;
    // lines written while the modules are built wait for it.
    ...(logger === undefined ? { bufferLogs: true } : { logger }),
  });
  if (logger === undefined) app.useLogger(app.get(HttpLogging).nestLogger);
  await configureApp(app, config);
  return app;
}

/**
 * Everything production wires onto the application, shared with the e2e tests so they run
 * the same pipeline. Initialises the application; the caller only listens.
 */
export async function configureApp(app: INestApplication, config: AppConfig): Promise<void> {
  const express = app as NestExpressApplication;
  // Ahead of the body parser, so every request, even one refused for its size, gets an id, an
  // access-log line and a latency sample.
  express.use(app.get(HttpLogging).middleware, requestLatencyMiddleware(app.get(MetricsService)));
  applyServerLimits(app.getHttpServer() as Server, config.http);
  // Answers carrying health data must not be kept by any cache on the way.
  express.use('/v1', noStore);
  // The operator console's cookies, form bodies, CSRF check and headers, on /console only: no
  // other path (the webhook least of all) pays for them.
  express.use('/console', ...app.get(ConsoleSecurity).handlers);
  // Also ahead of the body parser: what the headers alone refuse (unsigned, stale, encoded) is
  // refused before a byte of the body is read.
  express.use('/webhooks/notification', app.get(SignatureHeadersMiddleware).handler);
  // Every other area that takes bodies: a request without valid credentials is refused on its
  // headers, before its body is read, and bodies are capped to what the area's inputs need.
  // A new area adds its own entry here (the console: its session-cookie check). /health,
  // /metrics and /docs take no bodies and stay open.
  const areas: Array<{ prefix: string; check: RequestHandler; maxBodyBytes: number }> = [
    { prefix: '/v1', check: app.get(BearerHeadersMiddleware).handler, maxBodyBytes: API_MAX_BODY_BYTES },
  ];
  for (const area of areas) {
    express.use(area.prefix, area.check, raw({ type: NOTIFICATION_CONTENT_TYPES, limit: area.maxBodyBytes, inflate: false }));
  }
  // JSON bodies are kept as raw bytes: the signature covers the exact bytes received, and a
  // body that does not parse must still be verified and recorded, not refused by a parser.
  // Never inflated: an encoded body is refused (415), as the bytes signed are the bytes sent.
  express.useBodyParser('raw', { type: NOTIFICATION_CONTENT_TYPES, limit: config.webhook.maxBodyBytes, inflate: false });
  express.disable('x-powered-by');
  // No ETag hashing of every body: webhook answers are never cached, artifact bodies can be large.
  express.set('etag', false);
  app.useGlobalFilters(new AllExceptionsFilter());
  setupOpenApi(app);
  await app.init();
  // After init, so that it follows the body parser Nest registers during init.
  express.use(expressErrorHandler);
}

function noStore(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Cache-Control', 'no-store');
  next();
}
