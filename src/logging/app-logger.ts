import { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import { requestContext } from './request-context';

type Level = 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal';

/**
 * Nest's LoggerService over pino: `new Logger(Name)` lines become JSON with their context and,
 * inside a request, its id. Messages are identifiers only by convention (see docs/operations.md, Logs).
 */
export class AppLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log = this.writer('info');
  warn = this.writer('warn');
  error = this.writer('error');
  debug = this.writer('debug');
  verbose = this.writer('trace');
  fatal = this.writer('fatal');

  private writer(level: Level) {
    return (message: unknown, ...params: unknown[]): void => {
      if (!this.root.isLevelEnabled(level)) return;
      const context = params.length > 0 ? params[params.length - 1] : undefined;
      const fields: Record<string, unknown> = typeof context === 'string' ? { context } : {};
      // Nest passes an error's stack as the second argument of error(message, stack, context).
      if (level === 'error' && params.length > 1 && typeof params[0] === 'string') fields.stack = params[0];
      const reqId = requestContext.getStore()?.reqId;
      if (reqId) fields.reqId = reqId;
      this.root[level](fields, String(message));
    };
  }
}
