import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { describeError } from '../common/http-error';
import type { AuditActor } from '../api/actor';
import { AuditAction, AuditSubject, AuditTarget, AuditTransaction } from './audit-entry';
import { AuditRepository } from './audit.repository';

/**
 * Writes the access audit. `record` resolves once the record is committed; callers answer
 * only after it does, so nothing is served that the audit does not show. When the record
 * cannot be written, the request fails with 503 and its content is not served.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly repository: AuditRepository) {}

  async record(actor: AuditActor, subject: AuditSubject): Promise<void> {
    try {
      await this.repository.insert({ ...actor, ...subject });
    } catch (error) {
      this.logger.warn(`access audit not written (${describeError(error)}): action=${subject.action} client=${actor.client}`);
      throw new ServiceUnavailableException('the access audit could not be written, so nothing is served; try again');
    }
  }

  /**
   * Makes a change and audits it in one transaction of the main pool: one record for each thing
   * `change` touched (in the order it gives them), or one naming `requested` when it touched
   * nothing. Both are committed or neither, so a change is never made unaudited and the audit
   * never shows one that did not happen. Rejects as the transaction does; the caller says what
   * was not done. Resolves to what `change` touched.
   */
  async recordChange<T extends AuditTarget>(
    actor: AuditActor,
    action: AuditAction,
    requested: AuditTarget,
    change: (tx: AuditTransaction) => Promise<T[]>,
  ): Promise<T[]> {
    return this.repository.transaction(async (tx) => {
      const touched = await change(tx);
      await this.repository.insertAll(tx, actor, action, touched.length > 0 ? touched : [requested]);
      return touched;
    });
  }
}
