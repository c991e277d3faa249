import { Controller, Get, NotFoundException, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { isPossibleId } from '../api/query-params';
import { ConsoleSubscriptions } from './console-providers';
import { consoleActor, holds, type ConsoleRequest } from './console-request';
import { ConsoleViews } from './console-views';
import { ConsoleAccess, ConsoleExceptionFilter, ConsoleGuard } from './console.guard';
import { ConsoleRepository } from './console.repository';
import { noteSections, SOURCE_WORDS } from './console.views';

/** The note an operator may reveal: the session's note (Suki's `contents`). */
const NOTE_KIND = 'contents';

/**
 * A session's whole story: status and how it was learned, every delivery, every artifact with
 * its retries, its feed events and push deliveries. Never its note, unless a client with
 * `content` asks with "Show note": that read is audited exactly as a /v1 artifact read is.
 */
@ApiExcludeController()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('console/sessions')
export class ConsoleSessionsController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly repository: ConsoleRepository,
    private readonly audit: AuditService,
    private readonly subscriptions: ConsoleSubscriptions,
  ) {}

  @Get(':sessionId')
  @ConsoleAccess('read')
  async page(@Param('sessionId') sessionId: string, @Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    await this.render(sessionId, request, response, undefined);
  }

  /**
   * A POST, not a link: revealing a note is a deliberate act (CSRF-protected, never prefetched,
   * never in a URL or the history). The audit record is committed before the page goes out; when
   * it cannot be, the page is a 503 and shows nothing.
   */
  @Post(':sessionId/note')
  @ConsoleAccess('content')
  async showNote(@Param('sessionId') sessionId: string, @Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const found = isPossibleId(sessionId) ? await this.repository.artifactData(sessionId, NOTE_KIND) : undefined;
    if (!found || found.data === null) throw new NotFoundException('This session has no note to show yet.');
    await this.audit.record(consoleActor(request), { action: 'artifact.read', sessionId, encounterId: found.encounterId, kind: NOTE_KIND });
    const sections = noteSections(found.data);
    await this.render(sessionId, request, response, { sections, json: sections ? undefined : JSON.stringify(found.data, null, 2) });
  }

  private async render(sessionId: string, request: ConsoleRequest, response: Response, note: object | undefined): Promise<void> {
    const session = isPossibleId(sessionId) ? await this.repository.session(sessionId) : undefined;
    if (!session) throw new NotFoundException(`No session ${sessionId} is known.`);
    const [deliveries, artifacts, events, pushDeliveries] = await Promise.all([
      this.repository.deliveries(sessionId),
      this.repository.artifacts(sessionId, session.encounterId),
      this.repository.feedEvents(sessionId),
      this.subscriptions.deliveriesOfSession(sessionId),
    ]);
    const noteReady = artifacts.some((a) => a.kind === NOTE_KIND && !a.encounterLevel && a.hasData);
    this.views.send(
      request,
      response,
      200,
      'session',
      { title: `Session ${sessionId}` },
      {
        session,
        sourceWords: SOURCE_WORDS[session.source] ?? session.source,
        deliveries,
        artifacts,
        events,
        pushDeliveries,
        canShowNote: noteReady && holds(request, 'content'),
        noteReady,
        note,
      },
    );
  }
}
