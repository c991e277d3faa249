import { ArtifactKind } from '../generated/prisma/enums';

const MAX_ID_LENGTH = 255;
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are rejected
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Whether a path id could name a stored session or encounter. Intake refuses ids that are
 * empty, longer than 255 characters or hold control characters, so such an id is simply
 * unknown (404) and never reaches the database (PostgreSQL cannot even hold a NUL).
 */
export function isPossibleId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && !CONTROL_CHARACTERS.test(id);
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
