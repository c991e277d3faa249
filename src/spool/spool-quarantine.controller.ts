import { Controller, Get, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, type AuditActor } from '../api/actor';
import { InternalApi } from '../api/query-docs';
import { RequireScopes } from '../api/scopes';
import { QuarantineOutput, QuarantineRetryOutput } from './spool-quarantine.output';
import { SpoolStore } from './spool.store';

/**
 * The operator's view of the spool's quarantine (spool-quarantine.ts): notifications acknowledged
 * to Suki that the database refused again and again, kept on this replica's disk. Both routes
 * read and write only the local spool, so they answer while the database is away.
 */
@ApiTags('operations')
@InternalApi()
@Controller('v1/spool/quarantine')
export class SpoolQuarantineController {
  private readonly logger = new Logger('Spool');

  constructor(private readonly spool: SpoolStore) {}

  @Get()
  @RequireScopes('admin')
  @ApiOperation({
    summary: "This replica's quarantined spool records",
    description:
      'Spooled notifications the database refused on every try (a trigger or constraint that raises, say), set aside so ' +
      'that the spool drains behind them. Identifiers and the refusal only, never note content. Each replica has a spool ' +
      'of its own: ask each one (`suki_spool_quarantined` says which hold any).',
  })
  @ApiOkResponse({ type: QuarantineOutput, description: 'Every quarantined notification of this replica.' })
  list(): QuarantineOutput {
    return {
      items: this.spool.quarantine.list().map((q) => ({
        arrival: String(q.arrival),
        sessionId: q.sessionId ?? null,
        receivedAt: new Date(q.receivedAtMs).toISOString(),
        quarantinedAt: new Date(q.note.quarantinedAtMs).toISOString(),
        tries: q.note.tries,
        reason: q.note.reason,
        bytes: q.bytes,
      })),
    };
  }

  @Post('retry')
  @HttpCode(202)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Put every quarantined record back in the spool',
    description:
      'Once the cause is fixed: every quarantined notification goes back to its place in arrival order and the drainer ' +
      'applies it, as if it had never been set aside (a record refused again is quarantined again after the same number of tries).',
  })
  @ApiAcceptedResponse({ type: QuarantineRetryOutput, description: 'The records are back in the spool; they drain in the background.' })
  async retry(@Actor() actor: AuditActor): Promise<QuarantineRetryOutput> {
    const retried = await this.spool.retryQuarantined();
    this.logger.warn(`client ${actor.client} retried ${retried} quarantined notifications`);
    return { retried };
  }
}
