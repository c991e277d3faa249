import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { describeError, errorBody, ErrorBody, isConnectionError, unavailableMessage } from './http-error';

/** Maps every error to a small, stable JSON body. Stack traces and causes stay in the logs. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const body = withoutQueryString(this.toBody(exception, request), request);
    if (!response.headersSent) response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, request: Request): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const message = typeof payload === 'string' ? payload : (payload as { message?: unknown }).message;
      const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
      return errorBody(status, text);
    }
    if (isConnectionError(exception)) {
      this.logger.warn(`database unavailable: ${describeError(exception)}`);
      return errorBody(503, unavailableMessage(request.method));
    }
    this.logger.error(`unhandled ${describeError(exception)}`, framesOnly(exception));
    return errorBody(500, 'internal error');
  }
}

/**
 * An error body never repeats the query string: it can carry tokens a caller pasted into a URL,
 * and echoing it (Nest's "Cannot GET <url>" does, up to the whole header) returns them to
 * whoever reads the answer, and to every cache and log on the way.
 */
export function withoutQueryString(body: ErrorBody, request: Request): ErrorBody {
  const url = request.originalUrl ?? request.url ?? '';
  const start = url.indexOf('?');
  if (start === -1) return body;
  const path = url.slice(0, start);
  let message = body.message.replace(`${request.method} ${url}`, `${request.method} ${path.slice(0, 256)}`);
  const query = url.slice(start + 1);
  if (query.length > 0 && message.includes(query)) message = message.split(query).join('…');
  return message === body.message ? body : { ...body, message };
}

/**
 * Errors raised by Express middleware before Nest sees the request (the body parser's size
 * limit, an unreadable body), answered in the same shape.
 */
export function expressErrorHandler(error: unknown, _request: Request, response: Response, next: NextFunction): void {
  if (response.headersSent) return next(error);
  // body-parser's errors (http-errors) carry a numeric status and a string type; anything else is a 500.
  const fields = (error ?? {}) as { status?: unknown; type?: unknown };
  const status = typeof fields.status === 'number' && fields.status >= 400 && fields.status < 500 ? fields.status : 500;
  const messages: Record<string, string> = {
    'entity.too.large': 'body exceeds the size limit',
    'encoding.unsupported': 'Content-Encoding is not accepted: send the body as signed, unencoded',
    'charset.unsupported': 'unsupported charset',
    'request.aborted': 'request aborted',
    'request.size.invalid': 'body length does not match Content-Length',
  };
  response.status(status).json(errorBody(status, messages[String(fields.type)] ?? (status === 500 ? 'internal error' : 'bad request')));
}

/**
 * Where an error came from, without what it says: database errors quote the values they
 * choked on, and those values may be patient data.
 */
function framesOnly(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
}
