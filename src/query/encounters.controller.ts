import { BadRequestException, Controller, Get, Header, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actor, type AuditActor } from '../api/actor';
import { AuditService } from '../audit/audit.service';
import { ArtifactOutput } from './artifact.output';
import { missingArtifactMessage } from './artifact-views';
import { JSON_CONTENT_TYPE, Rendered } from './json-sql';
import { EncounterOutput, EncounterPageOutput } from './encounter.output';
import { EncountersRepository } from './encounters.repository';
import { instant, pageScope, pageSize, readCursor, toPage } from '../api/keyset';
import { ListEncountersInput } from './list-encounters.input';
import { ApiBadRequest, ApiKindParam, ApiNotFound, ApiUnavailable, InternalApi } from '../api/query-docs';
import { ARTIFACT_KINDS, isArtifactKind } from '../suki/artifact-kinds';
import { isPossibleId, refuseDotSegment } from '../api/query-params';
import { queryValidation } from '../api/query-validation';
import { RequireScopes } from '../api/scopes';

const ENCOUNTER_ID = { name: 'encounterId', description: "Suki's encounter id." };

@ApiTags('encounters')
@InternalApi()
@Controller('v1/encounters')
export class EncountersController {
  constructor(
    private readonly encounters: EncountersRepository,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @RequireScopes('read')
  @ApiOperation({
    summary: 'List encounters, newest first',
    description:
      'Keyset-paginated by (updatedAt, encounterId) descending, with the same guarantees as GET /v1/sessions: no encounter ' +
      'twice within one walk, and every encounter that does not change during the walk exactly once.',
  })
  @ApiOkResponse({ type: EncounterPageOutput, description: 'One page of encounters and the cursor of the next.' })
  @ApiBadRequest('A malformed or unknown query parameter (named in the message), or a cursor not issued for these filters.')
  async list(@Query(queryValidation) input: ListEncountersInput): Promise<EncounterPageOutput> {
    const filters = { status: input.status, updatedSince: instant(input.updatedSince) };
    const scope = pageScope('encounters', filters);
    const after = readCursor(input.cursor, scope);
    const limit = pageSize(input.limit);
    const rows = await this.encounters.list(filters, after, limit + 1);
    return toPage(rows, limit, scope, (encounter) => ({ updatedAt: new Date(encounter.updatedAt), id: encounter.encounterId }));
  }

  @Get(':encounterId')
  @RequireScopes('read')
  // The body is JSON text rendered by the database (see json-sql.ts).
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOperation({ summary: 'An encounter: whether its note is ready, its sessions and its encounter-level artifacts' })
  @ApiParam(ENCOUNTER_ID)
  @ApiOkResponse({ type: EncounterOutput, description: 'The encounter.' })
  @ApiBadRequest('The encounter id is `.` or `..`.')
  @ApiNotFound('No such encounter.')
  async get(@Param('encounterId') encounterId: string): Promise<Rendered<EncounterOutput>> {
    refuseDotSegment('encounterId', encounterId);
    const encounter = isPossibleId(encounterId) ? await this.encounters.find(encounterId) : undefined;
    if (!encounter) throw new NotFoundException('encounter not found');
    return encounter;
  }

  @Get(':encounterId/artifacts/:kind')
  // Note content: served only to clients with `content`, and only once the audit holds the read.
  @RequireScopes('read', 'content')
  // The body is JSON text rendered by the database (see json-sql.ts).
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOperation({ summary: 'One encounter-level artifact with the JSON Suki returned (encounter_content, encounter_structured_data)' })
  @ApiParam(ENCOUNTER_ID)
  @ApiKindParam()
  @ApiOkResponse({ type: ArtifactOutput, description: 'The artifact; `data` is null until it is ready.' })
  @ApiBadRequest('`kind` is not an artifact kind, or the encounter id is `.` or `..`.')
  @ApiNotFound('No such encounter, or the encounter has no artifact of this kind.')
  @ApiUnavailable('The database is unavailable, or the access audit could not be written: the content is not served; try again shortly.')
  async artifact(
    @Param('encounterId') encounterId: string,
    @Param('kind') kind: string,
    @Actor() actor: AuditActor,
  ): Promise<Rendered<ArtifactOutput>> {
    refuseDotSegment('encounterId', encounterId);
    if (!isArtifactKind(kind)) throw new BadRequestException(`kind must be one of: ${ARTIFACT_KINDS.join(', ')}`);
    const found = isPossibleId(encounterId) ? await this.encounters.artifact(encounterId, kind) : undefined;
    if (found === undefined) throw new NotFoundException('encounter not found');
    if (found === 'no-artifact') throw new NotFoundException(missingArtifactMessage('encounter', kind));
    if (found.carriesData) await this.audit.record(actor, { action: 'artifact.read', encounterId, kind });
    return found.body;
  }
}
