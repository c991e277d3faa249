import { Injectable } from '@nestjs/common';
import { Rendered } from './json-sql';
import { SessionOutput } from './session.output';
import { SessionsRepository } from './sessions.repository';

/**
 * The session view for other features (registration answers with it), so that they go through
 * this module rather than reach into its repository.
 */
@Injectable()
export class SessionViewsService {
  constructor(private readonly sessions: SessionsRepository) {}

  /** GET /v1/sessions/{id}'s body, or undefined for an unknown session. */
  find(sessionId: string): Promise<Rendered<SessionOutput> | undefined> {
    return this.sessions.find(sessionId);
  }
}
