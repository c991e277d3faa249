import { ArtifactKind as StoredArtifactKind } from '../generated/prisma/enums';
import { ARTIFACT_KINDS, isArtifactKind, isEncounterKind } from './artifact-kinds';

describe('artifact kinds', () => {
  it.each([
    ['contents', true, false],
    ['structured_data', true, false],
    ['transcripts', true, false],
    ['status', true, false],
    ['encounter_content', true, true],
    ['encounter_structured_data', true, true],
    ['Contents', false, false],
    ['content', false, false],
  ])('%s: known=%s, encounter-level=%s', (kind, known, encounterLevel) => {
    expect(isArtifactKind(kind)).toBe(known);
    if (isArtifactKind(kind)) expect(isEncounterKind(kind)).toBe(encounterLevel);
  });
});

describe('ARTIFACT_KINDS', () => {
  it('is the database enum, in its order (the order error messages list them in)', () => {
    expect(ARTIFACT_KINDS).toEqual(Object.values(StoredArtifactKind));
  });
});
