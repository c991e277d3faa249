import { isUsableId } from '../common/vendor-id';
import { ArtifactKind } from '../generated/prisma/enums';

/**
 * Whether a path id could name a stored session or encounter. Intake refuses every id that
 * fails the same rule (src/common/vendor-id.ts), so such an id is simply unknown (404) and never
 * reaches the database (PostgreSQL cannot even hold a NUL).
 */
export function isPossibleId(id: string): boolean {
  return isUsableId(id);
}

export const ARTIFACT_KINDS: readonly ArtifactKind[] = Object.values(ArtifactKind);

/** Kinds Suki serves per encounter; every other kind belongs to one session. */
export const ENCOUNTER_ARTIFACT_KINDS: readonly ArtifactKind[] = [ArtifactKind.encounter_content, ArtifactKind.encounter_structured_data];

export function isArtifactKind(value: string): value is ArtifactKind {
  return (ARTIFACT_KINDS as readonly string[]).includes(value);
}

export function isEncounterKind(kind: ArtifactKind): boolean {
  return ENCOUNTER_ARTIFACT_KINDS.includes(kind);
}
