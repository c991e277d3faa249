import type { ArtifactKind as StoredArtifactKind } from '../generated/prisma/enums';

/**
 * What Suki serves for a session or an encounter: the `_links` keys of a success notification
 * (and the endpoints they name), `status` among them, in the order of the database enum.
 */
export const ARTIFACT_KINDS = [
  'contents',
  'encounter_content',
  'structured_data',
  'encounter_structured_data',
  'transcripts',
  'status',
] as const;

export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** Whom Suki serves an artifact for: one session, or the whole encounter. */
export type ArtifactLevel = 'session' | 'encounter';

export const ARTIFACT_LEVELS: Readonly<Record<ArtifactKind, ArtifactLevel>> = {
  contents: 'session',
  encounter_content: 'encounter',
  structured_data: 'session',
  encounter_structured_data: 'encounter',
  transcripts: 'session',
  status: 'session',
};

/** Kinds Suki serves per encounter; every other kind belongs to one session. */
export const ENCOUNTER_KINDS: ReadonlySet<ArtifactKind> = new Set(ARTIFACT_KINDS.filter((kind) => ARTIFACT_LEVELS[kind] === 'encounter'));

export function isArtifactKind(value: string): value is ArtifactKind {
  return (ARTIFACT_KINDS as readonly string[]).includes(value);
}

export function isEncounterKind(kind: ArtifactKind): boolean {
  return ENCOUNTER_KINDS.has(kind);
}

// The contract's kinds and the database enum are one list written twice (the schema cannot
// import TypeScript): the build fails if either gains a kind the other lacks. A type-only
// import, so this module still loads nothing from Prisma at run time.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type KindsMatchSchema = Holds<Same<ArtifactKind, StoredArtifactKind>>;
