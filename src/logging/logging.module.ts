import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HttpLogging } from './http-logging';

/**
 * nestjs-pino, fed with our own pino-http (useExisting): configureApp mounts that middleware
 * before the body parser, so even a request refused for its size gets an id and a log line.
 * nestjs-pino then only binds each request's logger, so `new Logger(Name)` lines written while
 * serving a request carry its id.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [HttpLogging],
      inject: [HttpLogging],
      useFactory: (logging: HttpLogging) => ({
        pinoHttp: { logger: logging.root },
        useExisting: true,
        // nestjs-pino's default '*' is the Express 4 wildcard; Nest 12 (path-to-regexp 8) spells it so.
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
      }),
    }),
  ],
})
export class LoggingModule {}
