import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Clock } from '../common/clock';
import { errorBody } from '../common/http-error';
import { closeAfterAnswer } from '../common/lingering-close';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { checkSignatureHeaders } from '../suki/signature';

/** Content types whose bodies the raw parser keeps; anything else is 415. */
export const NOTIFICATION_CONTENT_TYPES = ['application/json', 'application/*+json'];
const WEBHOOK_ROUTE = '/webhooks/notification';

/**
 * What can be refused on sight, before a byte of the body is read: a content type that is not
 * JSON, a Content-Encoding (415: the signature covers the bytes as sent, and an inflated body
 * is neither what was signed nor what Suki sent), and signature headers that are missing,
 * malformed or outside the tolerance window (401). Installed ahead of the raw body parser for
 * POST /webhooks/notification, so an unsigned upload costs no memory and cannot keep a
 * connection: the refusal closes it. SignatureGuard still checks the HMAC once the body is in.
 */
@Injectable()
export class SignatureHeadersMiddleware {
  readonly handler: RequestHandler;

  constructor(config: AppConfig, clock: Clock, metrics: MetricsService) {
    this.handler = (request: Request, response: Response, next: NextFunction) => {
      // Mounted on the path; other methods and sub-paths go on to their 404/405.
      if (request.method !== 'POST' || request.path !== '/') return next();
      const refuse = (status: number, reason: string, message: string) => {
        metrics.signatureFailures.inc({ reason });
        // Never routed, so the latency histogram is told which route this was.
        response.locals.route = WEBHOOK_ROUTE;
        // The body is never read: the connection must not stay to receive it, but must close in
        // a way that lets a client still sending its upload read this answer.
        closeAfterAnswer(request, response);
        response.status(status).json(errorBody(status, message));
      };
      if (!request.is(NOTIFICATION_CONTENT_TYPES)) return refuse(415, 'unsupported_media_type', 'Content-Type must be application/json');
      const encoding = request.headers['content-encoding'];
      if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
        return refuse(415, 'unsupported_encoding', 'Content-Encoding is not accepted: send the body as signed, unencoded');
      }
      const check = checkSignatureHeaders(
        singleHeader(request, 'generated-at'),
        singleHeader(request, 'x-api-key'),
        clock.now(),
        config.webhook.toleranceMs,
      );
      if (!check.ok) return refuse(401, check.reason, `notification signature rejected: ${check.reason.replace(/_/g, ' ')}`);
      next();
    };
  }
}

/** A header sent more than once is as good as malformed (Node joins repeats with ", "). */
export function singleHeader(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
