import { ArtifactKind } from '../generated/prisma/enums';
import type { ResultRequest } from './retrieval.repository';

/**
 * Where Suki serves each result of a session (suki-contract §7), for a session whose outcome
 * came from a status check rather than a success notification: no `_links` to read, so the
 * documented paths stand in for them. `status` is left out: the check itself fetched it.
 */
const PATHS: Record<Exclude<ArtifactKind, 'status'>, { level: 'session' | 'encounter'; suffix: string }> = {
  contents: { level: 'session', suffix: 'content' },
  structured_data: { level: 'session', suffix: 'structured-data' },
  transcripts: { level: 'session', suffix: 'transcript' },
  encounter_content: { level: 'encounter', suffix: 'content' },
  encounter_structured_data: { level: 'encounter', suffix: 'structured-data' },
};

export function documentedResults(sessionId: string, encounterId: string, kinds: readonly ArtifactKind[]): ResultRequest[] {
  const requests: ResultRequest[] = [];
  for (const kind of kinds) {
    if (kind === 'status') continue;
    const { level, suffix } = PATHS[kind];
    const ownerId = level === 'session' ? sessionId : encounterId;
    requests.push({
      kind,
      ownerId,
      // As intake records them: encounter-level results belong to the encounter, not to one session.
      sessionId: level === 'session' ? sessionId : null,
      href: `/api/v1/ambient/${level}/${encodeURIComponent(ownerId)}/${suffix}`,
    });
  }
  return requests;
}
