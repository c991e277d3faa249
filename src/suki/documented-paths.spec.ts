import { documentedResults, sessionStatusPath } from './documented-paths';

describe('documentedResults', () => {
  it('names the documented path of every configured kind, at its level, and skips the status itself', () => {
    expect(
      documentedResults('s-1', 'e-1', [
        'contents',
        'encounter_content',
        'structured_data',
        'encounter_structured_data',
        'transcripts',
        'status',
      ]),
    ).toEqual([
      { kind: 'contents', ownerId: 's-1', sessionId: 's-1', href: '/api/v1/ambient/session/s-1/content' },
      { kind: 'encounter_content', ownerId: 'e-1', sessionId: null, href: '/api/v1/ambient/encounter/e-1/content' },
      { kind: 'structured_data', ownerId: 's-1', sessionId: 's-1', href: '/api/v1/ambient/session/s-1/structured-data' },
      { kind: 'encounter_structured_data', ownerId: 'e-1', sessionId: null, href: '/api/v1/ambient/encounter/e-1/structured-data' },
      { kind: 'transcripts', ownerId: 's-1', sessionId: 's-1', href: '/api/v1/ambient/session/s-1/transcript' },
    ]);
  });

  it('only the configured kinds', () => {
    expect(documentedResults('s', 'e', ['transcripts']).map((request) => request.kind)).toEqual(['transcripts']);
    expect(documentedResults('s', 'e', [])).toEqual([]);
  });

  it('escapes ids so that one cannot change the path', () => {
    expect(documentedResults('a/../b?x', 'e', ['contents'])[0].href).toBe('/api/v1/ambient/session/a%2F..%2Fb%3Fx/content');
  });
});

describe('sessionStatusPath', () => {
  it('is the documented status endpoint of the session, its id escaped', () => {
    expect(sessionStatusPath('s-1')).toBe('/api/v1/ambient/session/s-1/status');
    expect(sessionStatusPath('a/../b?x')).toBe('/api/v1/ambient/session/a%2F..%2Fb%3Fx/status');
  });
});
