import { Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { SessionStatus } from '../generated/prisma/enums';
import { authenticate } from '../api/bearer-token';
import { isPossibleId } from '../api/query-params';
import { ConsoleOverviewService } from './console-overview.service';
import { consoleActor, type ConsoleRequest } from './console-request';
import { ConsoleSecurity } from './console-security';
import { newSession } from './console-session';
import { ConsoleViews } from './console-views';
import { ConsoleAccess, ConsoleExceptionFilter, ConsoleGuard } from './console.guard';
import { ConsoleRepository } from './console.repository';

const STATUSES = Object.values(SessionStatus) as string[];

/** The console's front: signing in and out, the overview, and finding a session or encounter. */
@ApiExcludeController()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('console')
export class ConsoleController {
  constructor(
    private readonly config: AppConfig,
    private readonly views: ConsoleViews,
    private readonly security: ConsoleSecurity,
    private readonly overviews: ConsoleOverviewService,
    private readonly repository: ConsoleRepository,
    private readonly audit: AuditService,
  ) {}

  @Get('sign-in')
  @ConsoleAccess('public')
  signInPage(@Req() request: ConsoleRequest, @Res() response: Response): void {
    if (request.consoleSignIn) return response.redirect(303, '/console');
    this.views.send(request, response, 200, 'sign-in', { title: 'Sign in' }, { refused: false });
  }

  @Post('sign-in')
  @ConsoleAccess('public')
  async signIn(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const token = (request.body as Record<string, unknown> | undefined)?.token;
    // Read at each request: the runtime may add the development client after the config is made.
    const client = typeof token === 'string' ? authenticate(token.trim(), this.config.apiClients) : undefined;
    if (!client) {
      this.views.send(request, response, 401, 'sign-in', { title: 'Sign in' }, { refused: true });
      return;
    }
    const session = newSession(client, Date.now());
    request.consoleSignIn = { session, client };
    await this.audit.record(consoleActor(request), { action: 'console.sign_in' });
    this.security.signIn(response, session);
    response.redirect(303, '/console');
  }

  @Post('sign-out')
  @ConsoleAccess('signed-in')
  async signOut(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    await this.audit.record(consoleActor(request), { action: 'console.sign_out' });
    this.security.signOut(request, response);
    response.redirect(303, '/console/sign-in');
  }

  @Get()
  @ConsoleAccess('read')
  async overview(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const overview = await this.overviews.overview();
    this.views.send(
      request,
      response,
      200,
      'overview',
      { title: 'Overview', current: 'overview' },
      { overview, simulated: this.config.suki.simulate },
    );
  }

  /** The overview's figures alone: what the page fetches every few seconds to refresh itself. */
  @Get('overview/figures')
  @ConsoleAccess('read')
  async figures(@Res() response: Response): Promise<void> {
    const overview = await this.overviews.overview();
    response.type('html').send(this.views.render('overview-figures', { overview }));
  }

  /**
   * A session or encounter by id (a session's own page when the id is one), or the latest
   * sessions of a status. The id travels in the query string: identifiers, never content.
   */
  @Get('find')
  @ConsoleAccess('read')
  async find(
    @Req() request: ConsoleRequest,
    @Res() response: Response,
    @Query('q') q?: string,
    @Query('status') status?: string,
  ): Promise<void> {
    const id = typeof q === 'string' ? q.trim() : '';
    const wanted = typeof status === 'string' && STATUSES.includes(status) ? (status as SessionStatus) : undefined;
    if (id && isPossibleId(id) && (await this.repository.session(id))) {
      return response.redirect(303, `/console/sessions/${encodeURIComponent(id)}`);
    }
    const encounter = id && isPossibleId(id) && (await this.repository.encounterExists(id)) ? id : undefined;
    const sessions = encounter
      ? await this.repository.sessionsOfEncounter(encounter)
      : id
        ? []
        : await this.repository.sessionsByStatus(wanted);
    this.views.send(
      request,
      response,
      id && !encounter ? 404 : 200,
      'find',
      { title: 'Find', query: id },
      { id, encounter, status: wanted ?? '', statuses: STATUSES, sessions, notFound: Boolean(id && !encounter) },
    );
  }
}
