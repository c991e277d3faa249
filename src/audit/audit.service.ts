import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { describeError } from '../common/http-error';
import type { AuditActor } from '../api/actor';
import { AuditSubject } from './audit-entry';
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
}
