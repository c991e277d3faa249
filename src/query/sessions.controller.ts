import { BadRequestException, Controller, Get, Header, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actor, type AuditActor } from '../api/actor';
import { AuditService } from '../audit/audit.service';
import { ArtifactOutput } from './artifact.output';
import { missingArtifactMessage } from './artifact-views';
import { JSON_CONTENT_TYPE, Rendered } from './json-sql';
import { instant, pageScope, pageSize, readCursor, toPage } from '../api/keyset';
import { ListSessionsInput } from './list-sessions.input';
import { ApiBadRequest, ApiKindParam, ApiNotFound, ApiUnavailable, InternalApi } from '../api/query-docs';
import { ARTIFACT_KINDS, isArtifactKind } from '../suki/artifact-kinds';
import { isPossibleId, refuseDotSegment } from '../api/query-params';
import { queryValidation } from '../api/query-validation';
import { RequireScopes } from '../api/scopes';
import { SessionEventsOutput, SessionOutput, SessionPageOutput } from './session.output';
import { SessionsRepository } from './sessions.repository';

const SESSION_ID = { name: 'sessionId', description: "Suki's session id." };

@ApiTags('sessions')
@InternalApi()
@Controller('v1/sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @RequireScopes('read')
  @ApiOperation({
    summary: 'List sessions, newest first',
    description:
      'Keyset-paginated by (updatedAt, sessionId) descending. Within one walk no session is returned twice and every session ' +
      'that does not change during the walk is returned exactly once; sessions created or changed meanwhile move to the top ' +
      '(start a new walk to see them). For browsing: to follow changes without missing any, use GET /v1/events.',
  })
  @ApiOkResponse({ type: SessionPageOutput, description: 'One page of sessions and the cursor of the next.' })
  @ApiBadRequest('A malformed or unknown query parameter (named in the message), or a cursor not issued for these filters.')
  async list(@Query(queryValidation) input: ListSessionsInput): Promise<SessionPageOutput> {
    const filters = { status: input.status, encounterId: input.encounterId, updatedSince: instant(input.updatedSince) };
    const scope = pageScope('sessions', filters);
    const after = readCursor(input.cursor, scope);
    const limit = pageSize(input.limit);
    const rows = await this.sessions.list(filters, after, limit + 1);
    return toPage(rows, limit, scope, (session) => ({ updatedAt: new Date(session.updatedAt), id: session.sessionId }));
  }

  @Get(':sessionId')
  @RequireScopes('read')
  // The body is JSON text rendered by the database (see json-sql.ts).
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOperation({ summary: 'A session: its status, why it failed, and the state of its artifacts' })
  @ApiParam(SESSION_ID)
  @ApiOkResponse({ type: SessionOutput, description: 'The session.' })
  @ApiBadRequest('The session id is `.` or `..`.')
  @ApiNotFound('No such session.')
  async get(@Param('sessionId') sessionId: string): Promise<Rendered<SessionOutput>> {
    refuseDotSegment('sessionId', sessionId);
    const session = isPossibleId(sessionId) ? await this.sessions.find(sessionId) : undefined;
    if (!session) throw new NotFoundException('session not found');
    return session;
  }

  @Get(':sessionId/events')
  @RequireScopes('read')
  // The body is JSON text rendered by the database (see json-sql.ts).
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOperation({ summary: "The session's notifications in vendor-time order, with what became of each" })
  @ApiParam(SESSION_ID)
  @ApiOkResponse({ type: SessionEventsOutput, description: 'The timeline (empty for a session known only by name).' })
  @ApiBadRequest('The session id is `.` or `..`.')
  @ApiNotFound('No such session.')
  async events(@Param('sessionId') sessionId: string): Promise<Rendered<SessionEventsOutput>> {
    refuseDotSegment('sessionId', sessionId);
    const events = isPossibleId(sessionId) ? await this.sessions.events(sessionId) : undefined;
    if (!events) throw new NotFoundException('session not found');
    return events;
  }

  @Get(':sessionId/artifacts/:kind')
  // Note content: served only to clients with `content`, and only once the audit holds the read.
  @RequireScopes('read', 'content')
  // The body is JSON text rendered by the database (see json-sql.ts).
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOperation({ summary: 'One session-level artifact with the JSON Suki returned (contents, structured_data, transcripts, status)' })
  @ApiParam(SESSION_ID)
  @ApiKindParam()
  @ApiOkResponse({ type: ArtifactOutput, description: 'The artifact; `data` is null until it is ready.' })
  @ApiBadRequest('`kind` is not an artifact kind, or the session id is `.` or `..`.')
  @ApiNotFound('No such session, or the session has no artifact of this kind.')
  @ApiUnavailable('The database is unavailable, or the access audit could not be written: the content is not served; try again shortly.')
  async artifact(
    @Param('sessionId') sessionId: string,
    @Param('kind') kind: string,
    @Actor() actor: AuditActor,
  ): Promise<Rendered<ArtifactOutput>> {
    refuseDotSegment('sessionId', sessionId);
    if (!isArtifactKind(kind)) throw new BadRequestException(`kind must be one of: ${ARTIFACT_KINDS.join(', ')}`);
    const found = isPossibleId(sessionId) ? await this.sessions.artifact(sessionId, kind) : undefined;
    if (found === undefined) throw new NotFoundException('session not found');
    if (found === 'no-artifact') throw new NotFoundException(missingArtifactMessage('session', kind));
    if (found.carriesData) await this.audit.record(actor, { action: 'artifact.read', sessionId, encounterId: found.encounterId, kind });
    return found.body;
  }
}
