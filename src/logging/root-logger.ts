import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { AppLogger } from './app-logger';
import { escapeNonPrinting } from './log-escape';

/**
 * Belt and braces: no code logs these, and access lines carry only listed headers (see
 * access-log.middleware.ts); but should anything log a headers object, the credentials in it are censored.
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
      // Every value of every line: ids, headers and messages can carry bidi or C1 characters.
      hooks: { streamWrite: escapeNonPrinting },
    },
    // Asynchronous writes: a synchronous write per line blocked the event loop on every request.
    // pino flushes what is buffered when the process exits.
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/**
 * A Nest LoggerService over a pino logger, for the few lines written before the application
 * (and its LoggingModule) exists: configuration, embedded database, migrations.
 */
export function nestLoggerOver(root: Logger): LoggerService {
  return new AppLogger(root);
}
