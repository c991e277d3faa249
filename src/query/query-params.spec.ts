import { isArtifactKind, isEncounterKind, isPossibleId } from './query-params';

describe('isPossibleId', () => {
  it.each([
    ['a953839a-ddcd-407d-b9b0-3ed4b6be4be2', true],
    ['x', true],
    ['x'.repeat(255), true],
    ['', false],
    ['x'.repeat(256), false],
    ['a\u0000b', false],
    ['a\nb', false],
  ])('%j -> %s', (id, expected) => {
    expect(isPossibleId(id)).toBe(expected);
  });
});

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
