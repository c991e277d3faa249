import { ARTIFACT_LEVELS, ArtifactKind } from './artifact-kinds';

/**
 * Suki's documented endpoints, for hrefs we build ourselves rather than read
 * from a notification's `_links`. Ids are escaped so that one cannot change the path.
 */
const ROOT = '/api/v1/ambient';

/** The session status endpoint: the single check of outcomes that are not final on their own. */
export function sessionStatusPath(sessionId: string): string {
  return `${ROOT}/session/${encodeURIComponent(sessionId)}/status`;
}

const RESULT_SUFFIXES: Record<Exclude<ArtifactKind, 'status'>, string> = {
  contents: 'content',
  structured_data: 'structured-data',
  transcripts: 'transcript',
  encounter_content: 'content',
  encounter_structured_data: 'structured-data',
};

/** A result of a session to fetch from its documented path, owned as intake records it. */
export interface DocumentedResult {
  kind: ArtifactKind;
  ownerId: string;
  /** Null for encounter-level results: they belong to the encounter, not to one session. */
  sessionId: string | null;
  href: string;
}

/**
 * Where Suki serves each result of a session, for a session whose outcome came from a status
 * check rather than a success notification: no `_links` to read, so the documented paths stand
 * in for them. `status` is left out: the check itself fetched it.
 */
export function documentedResults(sessionId: string, encounterId: string, kinds: readonly ArtifactKind[]): DocumentedResult[] {
  const requests: DocumentedResult[] = [];
  for (const kind of kinds) {
    if (kind === 'status') continue;
    const level = ARTIFACT_LEVELS[kind];
    const ownerId = level === 'session' ? sessionId : encounterId;
    requests.push({
      kind,
      ownerId,
      sessionId: level === 'session' ? sessionId : null,
      href: `${ROOT}/${level}/${encodeURIComponent(ownerId)}/${RESULT_SUFFIXES[kind]}`,
    });
  }
  return requests;
}
