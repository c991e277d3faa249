import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DeliveryOutcome } from '../generated/prisma/enums';
import { MetricsService } from '../metrics/metrics.service';
import { IntakeRecord } from './intake-record';

/**
 * Says out loud what the database decided about a session's encounter (session_binding, the
 * encounter_binding migration): a session moved by its own notification out of the encounter it
 * was provisionally under, or a notification naming another encounter than the one its session is
 * bound to. Both are rare, and both mean a note nearly went, or was going, to another visit.
 */
@Injectable()
export class EncounterBindingReport {
  private readonly logger = new Logger('EncounterBinding');
  private readonly bindings: Counter<'result'>;

  constructor(metrics: MetricsService) {
    this.bindings = new Counter({
      name: 'suki_session_encounter_bindings_total',
      help: "Notifications that moved their session to the encounter they name (changed), or named another encounter than the one the session's own notification bound it to (conflict)",
      labelNames: ['result'] as const,
      registers: [metrics.registry],
    });
  }

  /** `heldEncounterId`: the session's encounter before this notification, when it differs from the one named. */
  report(record: IntakeRecord, outcome: DeliveryOutcome, heldEncounterId: string | null): void {
    if (heldEncounterId === null) return;
    const named = `session=${record.sessionId} encounter=${record.encounterId}`;
    if (outcome === 'conflict') {
      this.bindings.inc({ result: 'conflict' });
      this.logger.warn(
        `notification ${named} conflicts: the session is bound to encounter=${heldEncounterId} by its own earlier notification; kept in its timeline, nothing moved`,
      );
      return;
    }
    this.bindings.inc({ result: 'changed' });
    this.logger.warn(`${named} previousEncounter=${heldEncounterId}: moved by its own notification, with its artifacts`);
  }
}
