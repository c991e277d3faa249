import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { HttpLogger } from 'pino-http';
import { AppConfig } from '../config/app-config';
import { createHttpLogger } from './http-logger';
import { createRootLogger } from './root-logger';

/**
 * The application's pino logger and its access-log middleware, made once per application from
 * the validated configuration. configureApp installs the middleware ahead of the body parser.
 */
@Injectable()
export class HttpLogging {
  readonly root: Logger;
  readonly middleware: HttpLogger;

  constructor(config: AppConfig) {
    this.root = createRootLogger(config.logLevel);
    this.middleware = createHttpLogger(this.root);
  }
}
