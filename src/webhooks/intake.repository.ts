import { Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { DeliveryOutcome } from '../generated/prisma/enums';
import { statusCheck } from './handlers/notification-handler';
import { nextArrival } from '../common/arrival-order';
import { EncounterBindingReport } from './encounter-binding.report';
import { IntakeRecord } from './intake-record';

/**
 * Writes notifications through the database function `ingest_notifications` (its one source:
 * prisma/sql/ingest_notifications.sql): one statement, one round trip and one commit for a
 * whole batch. Raw SQL because a database function call is not something Prisma's API says.
 */
@Injectable()
export class IntakeRepository {
  constructor(
    private readonly db: PrismaService,
    private readonly config: AppConfig,
    // Every committed batch, on time or drained from the spool, is reported the same way.
    @Optional() private readonly bindings?: EncounterBindingReport,
  ) {}

  async ingest(records: readonly IntakeRecord[]): Promise<DeliveryOutcome[]> {
    const afterMs = this.config.reconcile.afterMs;
    const batch = withoutNulCharacters(JSON.stringify(records.map((record) => toRow(record, afterMs))));
    const rows = await this.db.$queryRaw<Array<{ ordinal: number; outcome: DeliveryOutcome; held: string | null }>>`
      SELECT ordinal, outcome::text AS outcome, held_encounter_id AS held FROM ingest_notifications(${batch}::jsonb)`;
    const outcomes = new Array<DeliveryOutcome>(records.length);
    for (const row of rows) {
      outcomes[row.ordinal] = row.outcome;
      this.bindings?.report(records[row.ordinal], row.outcome, row.held);
    }
    return outcomes;
  }
}

function toRow(record: IntakeRecord, reconcileAfterMs: number) {
  return {
    arrival: (record.arrival ?? nextArrival(record.delivery.receivedAt.getTime())).toString(),
    rawBody: record.delivery.rawBody.toString('base64'),
    generatedAtMs: String(record.delivery.generatedAtMs),
    receivedAt: record.delivery.receivedAt.toISOString(),
    requestId: record.requestId ?? null,
    sessionId: record.sessionId ?? null,
    encounterId: record.encounterId ?? null,
    vendorStatus: record.vendorStatus ?? null,
    rejectReason: record.rejectReason ?? null,
    sessionStatus: record.sessionStatus ?? null,
    errorCode: record.errorCode ?? null,
    errorDetail: record.errorDetail ?? null,
    additionalInfo: record.additionalInfo ?? null,
    links: record.links ?? null,
    knownSessions: record.knownSessions,
    // A session first known from the list is polled from reconcileAfterMs on if its own notification never comes.
    reconcileChecks: record.knownSessions.map((sessionId) => ({ sessionId, href: statusCheck(sessionId).href })),
    reconcileAfterMs,
    artifacts: record.artifacts.map((artifact) => ({ ...artifact, refusal: artifact.refusal ?? null })),
  };
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000. The raw body travels as base64 and is kept
 * byte for byte; in the fields derived from it a NUL becomes U+FFFD instead of failing the batch.
 */
function withoutNulCharacters(json: string): string {
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
}
