import { Controller, Get, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { queryValidation } from '../api/query-validation';
import { ArtifactFilter, DeadLettersService } from '../retrieval/dead-letters.service';
import { ListArtifactsInput } from '../retrieval/list-artifacts.input';
import { RetryArtifactsInput } from '../retrieval/retry-artifacts.input';
import { ConsoleSubscriptions } from './console-providers';
import { consoleActor, type ConsoleRequest } from './console-request';
import { CSRF_FIELD } from './console-security';
import { ConsoleViews } from './console-views';
import { ConsoleAccess, ConsoleExceptionFilter, ConsoleGuard } from './console.guard';
import { PAGE_ROWS } from './console.repository';
import { ArtifactKind } from '../generated/prisma/enums';

/** The dead-letter filters as a form or query string carries them (GET /v1/artifacts's names). */
type FilterForm = Partial<Record<'kind' | 'sessionId' | 'encounterId' | 'updatedSince' | 'updatedBefore', string>>;

/** What an operator does (scope `admin`): dead letters and their retry, and push subscriptions. */
@ApiExcludeController()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('console')
export class ConsoleOperationsController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly deadLetters: DeadLettersService,
    private readonly audit: AuditService,
    private readonly subscriptions: ConsoleSubscriptions,
  ) {}

  /** Failed artifacts, filtered as GET /v1/artifacts is, and audited as it is (`artifacts.list`). */
  @Get('dead-letters')
  @ConsoleAccess('admin')
  async deadLetterList(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const form = formOf(request.query);
    const input = (await queryValidation.transform(form, { type: 'query', metatype: ListArtifactsInput })) as ListArtifactsInput;
    const page = await this.deadLetters.list({ ...filterOf(input), status: 'failed' }, { limit: PAGE_ROWS });
    await this.audit.record(consoleActor(request), {
      action: 'artifacts.list',
      sessionId: input.sessionId,
      encounterId: input.encounterId,
      kind: input.kind,
    });
    this.views.send(
      request,
      response,
      200,
      'dead-letters',
      { title: 'Dead letters', current: 'dead-letters' },
      { form, kinds: Object.values(ArtifactKind), page },
    );
  }

  /** "Retry": how many failed artifacts the filter matches now, and a "Confirm" that retries them. */
  @Get('dead-letters/retry')
  @ConsoleAccess('admin')
  async retryPreview(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const form = formOf(request.query);
    const input = (await queryValidation.transform(form, { type: 'query', metatype: RetryArtifactsInput })) as RetryArtifactsInput;
    const count = await this.deadLetters.countRetryable(filterOf(input));
    this.views.send(request, response, 200, 'retry-confirm', { title: 'Retry dead letters', current: 'dead-letters' }, { form, count });
  }

  /** "Confirm": resets the matching failed artifacts, audited in the same transaction (DeadLettersService). */
  @Post('dead-letters/retry')
  @ConsoleAccess('admin')
  async retry(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const form = formOf(request.body as Record<string, unknown>);
    const input = (await queryValidation.transform(form, { type: 'body', metatype: RetryArtifactsInput })) as RetryArtifactsInput;
    const { retried } = await this.deadLetters.retry(filterOf(input), consoleActor(request));
    this.views.send(request, response, 200, 'retry-done', { title: 'Retried', current: 'dead-letters' }, { form, retried });
  }

  @Get('subscriptions')
  @ConsoleAccess('admin')
  async subscriptionList(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    await this.renderSubscriptions(request, response, undefined);
  }

  /** Pause, Resume, Replay, Rotate secret, Send test: each audited by the subscriptions module with this actor. */
  @Post('subscriptions/:id/:action')
  @ConsoleAccess('admin')
  async subscriptionAction(
    @Param('id') id: string,
    @Param('action') action: string,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const actor = consoleActor(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    let done: { message: string; secret?: string };
    switch (action) {
      case 'pause':
        await this.subscriptions.pause(id, actor);
        done = { message: `Subscription ${id} paused.` };
        break;
      case 'resume':
        await this.subscriptions.resume(id, actor);
        done = { message: `Subscription ${id} resumed.` };
        break;
      case 'replay': {
        const after = typeof body.after === 'string' && body.after.trim() ? body.after.trim() : 'start';
        await this.subscriptions.replay(id, after, actor);
        done = { message: `Subscription ${id} replays everything after ${after}.` };
        break;
      }
      case 'rotate-secret':
        done = {
          message: `Subscription ${id} has a new secret; copy it now, it is not shown again.`,
          secret: (await this.subscriptions.rotateSecret(id, actor)).secret,
        };
        break;
      case 'test':
        await this.subscriptions.sendTest(id, actor);
        done = { message: `A test event is on its way to subscription ${id}.` };
        break;
      default:
        response.status(404);
        done = { message: 'No such subscription action.' };
    }
    await this.renderSubscriptions(request, response, done);
  }

  private async renderSubscriptions(
    request: ConsoleRequest,
    response: Response,
    done: { message: string; secret?: string } | undefined,
  ): Promise<void> {
    const items = await this.subscriptions.list();
    const status = response.statusCode === 404 ? 404 : 200;
    this.views.send(request, response, status, 'subscriptions', { title: 'Subscriptions', current: 'subscriptions' }, { items, done });
  }
}

/** The filter fields of a form or query string, without empty ones (an empty field filters nothing) and without the CSRF token. */
function formOf(source: Record<string, unknown>): FilterForm {
  // Anything else given stays in, for the validation to refuse by name (as GET /v1/artifacts does).
  const form: FilterForm & Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === CSRF_FIELD || value === '' || value === undefined) continue;
    form[key] = value;
  }
  return form;
}

function filterOf(input: FilterForm): Omit<ArtifactFilter, 'status'> {
  return {
    kind: input.kind as ArtifactKind | undefined,
    sessionId: input.sessionId,
    encounterId: input.encounterId,
    updatedSince: input.updatedSince === undefined ? undefined : new Date(input.updatedSince),
    updatedBefore: input.updatedBefore === undefined ? undefined : new Date(input.updatedBefore),
  };
}
