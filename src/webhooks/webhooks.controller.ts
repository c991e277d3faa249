import { Controller, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { logWithRequest } from '../logging/request-context';
import { NotificationDispatcher } from './notification.dispatcher';
import { SignatureGuard } from './signature.guard';
import type { SignedRequest } from './signature.guard';
import { WebhookDocs } from './webhook-docs';
import { WebhookOutcomeOutput } from './webhook-outcome.output';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly dispatcher: NotificationDispatcher) {}

  /**
   * Suki's callback. Answers only after the notification is committed (to the database, or to the local spool): Suki never sends a
   * notification twice, so a 2xx for anything not yet durable would lose a clinician's note.
   */
  @Post('notification')
  @HttpCode(HttpStatus.OK)
  @UseGuards(SignatureGuard)
  @WebhookDocs()
  async receive(@Req() request: SignedRequest, @Res({ passthrough: true }) response: Response): Promise<WebhookOutcomeOutput> {
    const result = await this.dispatcher.dispatch(request.signedDelivery!);
    // Identifiers only, for the access log line (src/logging/access-log.middleware.ts).
    logWithRequest(result);
    // 202 for what is kept but not (yet) applied: an unrecognised status, or a notification that
    // waits, durable, in the local spool for the database to come back.
    if (result.outcome === 'unrecognized' || result.outcome === 'spooled') response.status(HttpStatus.ACCEPTED);
    return { outcome: result.outcome };
  }
}
