import { CanActivate, ExecutionContext, Injectable, UnauthorizedException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { SignedDelivery } from './intake-record';
import { verifySignature } from '../suki/signature';
import { NOTIFICATION_CONTENT_TYPES, singleHeader } from './signature-headers.middleware';

export type SignedRequest = Request & { rawBody?: Buffer; signedDelivery?: SignedDelivery };

/**
 * Lets through only notifications signed by Suki within the tolerance window. Runs before
 * the body is read as JSON: the signature covers the exact bytes received. Its header checks
 * have already refused what could be refused before the body was read
 * (signature-headers.middleware.ts); they are repeated here so the guard stands on its own.
 */
@Injectable()
export class SignatureGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SignedRequest>();
    if (!request.is(NOTIFICATION_CONTENT_TYPES)) {
      this.metrics.signatureFailures.inc({ reason: 'unsupported_media_type' });
      throw new UnsupportedMediaTypeException('Content-Type must be application/json');
    }
    const rawBody = Buffer.isBuffer(request.body) ? request.body : (request.rawBody ?? Buffer.alloc(0));
    const now = this.clock.now();
    const check = verifySignature(
      { rawBody, generatedAt: singleHeader(request, 'generated-at'), signature: singleHeader(request, 'x-api-key') },
      this.config.webhook.secrets,
      now,
      this.config.webhook.toleranceMs,
    );
    if (!check.ok) {
      this.metrics.signatureFailures.inc({ reason: check.reason });
      throw new UnauthorizedException(`notification signature rejected: ${check.reason.replace(/_/g, ' ')}`);
    }
    this.metrics.clockSkew.observe((now - check.generatedAtMs) / 1000);
    request.signedDelivery = { rawBody, generatedAtMs: check.generatedAtMs, receivedAt: new Date(now) };
    return true;
  }
}
