import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';

/**
 * Belt and braces: no code logs these, and request logs carry only listed headers (see
 * http-logger.ts); but should anything log a headers object, the credentials in it are censored.
 */
const REDACTED = ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'sdp_suki_token'].flatMap((name) => [
  `req.headers["${name}"]`,
  `res.headers["${name}"]`,
  `headers["${name}"]`,
]);

/** The process's pino logger: JSON lines on stdout, level names instead of numbers, ISO times. */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * A Nest LoggerService over a pino logger, for the few lines written before the application
 * (and nestjs-pino with it) exists: configuration, embedded database, migrations.
 */
export function nestLoggerOver(root: Logger): LoggerService {
  const write = (level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal') => (message: unknown, ...params: unknown[]) => {
    const context = params.length > 0 ? params[params.length - 1] : undefined;
    root[level](typeof context === 'string' ? { context } : {}, String(message));
  };
  return { log: write('info'), warn: write('warn'), error: write('error'), debug: write('debug'), verbose: write('trace'), fatal: write('fatal') };
}
