import { Injectable } from '@nestjs/common';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { accessLog } from './access-log.middleware';
import { AppLogger } from './app-logger';
import { createRootLogger } from './root-logger';

/**
 * The application's pino logger, its Nest LoggerService and its access-log middleware, made
 * once per application from the validated configuration. configureApp installs the middleware
 * ahead of the body parser, so even a request refused for its size gets an id and a line.
 */
@Injectable()
export class HttpLogging {
  readonly root: Logger;
  readonly nestLogger: AppLogger;
  readonly middleware: RequestHandler;

  constructor(config: AppConfig) {
    this.root = createRootLogger(config.logLevel);
    this.nestLogger = new AppLogger(this.root);
    this.middleware = accessLog(this.root);
  }
}
