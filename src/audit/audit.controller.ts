import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, type AuditActor } from '../api/actor';
import { isBigintId } from '../api/cursor';
import { instant, pageScope, pageSize, readCursor, toPage } from '../api/keyset';
import { ApiBadRequest, ApiUnavailable, InternalApi } from '../api/query-docs';
import { queryValidation } from '../api/query-validation';
import { RequireScopes } from '../api/scopes';
import { AuditPageOutput } from './audit.output';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { ListAuditInput } from './list-audit.input';

@ApiTags('audit')
@InternalApi()
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly repository: AuditRepository,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'The access audit, newest first',
    description:
      'Every read of artifact data, every admin action (this listing included) and every registration, keyset-paginated by ' +
      '(at, id) descending. Records are never changed or removed; the database refuses to.',
  })
  @ApiOkResponse({ type: AuditPageOutput, description: 'One page of audit records and the cursor of the next.' })
  @ApiBadRequest('A malformed or unknown query parameter (named in the message), or a cursor not issued for these filters.')
  @ApiUnavailable('The database is unavailable, or the audit of this listing could not be written: nothing is served; try again shortly.')
  async list(@Query(queryValidation) input: ListAuditInput, @Actor() actor: AuditActor): Promise<AuditPageOutput> {
    const filters = { client: input.client, sessionId: input.sessionId, action: input.action, since: instant(input.since) };
    const scope = pageScope('audit', filters);
    const after = readCursor(input.cursor, scope, isBigintId);
    const limit = pageSize(input.limit);
    const rows = await this.repository.list(filters, after, limit + 1);
    // Reading the audit is an admin action too, recorded before the page goes out.
    await this.audit.record(actor, { action: 'audit.list', sessionId: input.sessionId });
    const page = toPage(rows, limit, scope, (row) => ({ updatedAt: new Date(row.item.at), id: row.id }));
    return { items: page.items.map((row) => row.item), nextCursor: page.nextCursor };
  }
}
