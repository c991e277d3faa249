import { SIGNED_VECTORS, SUKI_TEST_SECRET } from '../../test/support/suki-vectors';
import { sign, verifySignature } from './signature';

const TOLERANCE_MS = 300_000;
const S1 = SIGNED_VECTORS.find((vector) => vector.id === 'S1')!;
const S1_PRETTY = JSON.stringify(JSON.parse(S1.body), null, 2);

function verify(overrides: { body?: string; generatedAt?: string; signature?: string; now?: number; secrets?: string[] } = {}) {
  const generatedAt = 'generatedAt' in overrides ? overrides.generatedAt : S1.generatedAt;
  return verifySignature(
    {
      rawBody: Buffer.from(overrides.body ?? S1.body),
      generatedAt,
      signature: 'signature' in overrides ? overrides.signature : S1.signature,
    },
    overrides.secrets ?? [SUKI_TEST_SECRET],
    overrides.now ?? Number(S1.generatedAt),
    TOLERANCE_MS,
  );
}

describe('verifySignature', () => {
  it.each(SIGNED_VECTORS)('accepts vector $id with a clock at its generated-at', (vector) => {
    const result = verifySignature(
      { rawBody: Buffer.from(vector.body), generatedAt: vector.generatedAt, signature: vector.signature },
      [SUKI_TEST_SECRET],
      Number(vector.generatedAt),
      TOLERANCE_MS,
    );
    expect(result).toEqual({ ok: true, generatedAtMs: Number(vector.generatedAt) });
  });

  it.each(SIGNED_VECTORS)('computes the published signature of vector $id', (vector) => {
    expect(sign(Buffer.from(vector.body), vector.generatedAt, SUKI_TEST_SECRET)).toBe(vector.signature);
  });

  it.each([
    ['N1 tampered body', { body: S1.body.replace('"priority":"high"', '"priority":"low"') }, 'mismatch'],
    ['N2 re-serialised body', { body: S1_PRETTY }, 'mismatch'],
    ['N3 altered timestamp', { generatedAt: '1765977748433' }, 'mismatch'],
    ['N4 wrong secret', { secrets: ['wrong-secret'] }, 'mismatch'],
    ['N5 missing X-API-Key', { signature: undefined }, 'missing_signature'],
    ['N5 missing generated-at', { generatedAt: undefined }, 'missing_timestamp'],
    ['empty generated-at', { generatedAt: '' }, 'missing_timestamp'],
    ['generated-at in seconds with a fraction', { generatedAt: '1765977748.432' }, 'malformed_timestamp'],
    ['negative generated-at', { generatedAt: '-1765977748432' }, 'malformed_timestamp'],
    ['generated-at with spaces', { generatedAt: ' 1765977748432' }, 'malformed_timestamp'],
    ['repeated generated-at header', { generatedAt: '1765977748432,1765977748432' }, 'malformed_timestamp'],
    ['signature not hex', { signature: 'z'.repeat(64) }, 'malformed_signature'],
    ['signature truncated', { signature: S1.signature.slice(0, 63) }, 'malformed_signature'],
    ['no secrets configured', { secrets: [] }, 'mismatch'],
  ])('rejects %s', (_name, overrides, reason) => {
    expect(verify(overrides as Parameters<typeof verify>[0])).toEqual({ ok: false, reason });
  });

  it('accepts the signature in upper-case hex', () => {
    expect(verify({ signature: S1.signature.toUpperCase() }).ok).toBe(true);
  });

  it('accepts any of several active secrets (rotation)', () => {
    expect(verify({ secrets: ['old-secret', SUKI_TEST_SECRET] }).ok).toBe(true);
    expect(verify({ secrets: [SUKI_TEST_SECRET, 'next-secret'] }).ok).toBe(true);
  });

  it.each([
    ['exactly at the edge in the past', TOLERANCE_MS, true],
    ['exactly at the edge in the future', -TOLERANCE_MS, true],
    ['1 ms too old', TOLERANCE_MS + 1, false],
    ['1 ms too far in the future', -TOLERANCE_MS - 1, false],
  ])('applies the tolerance window both ways: %s', (_name, offset, ok) => {
    const result = verify({ now: Number(S1.generatedAt) + offset });
    expect(result.ok).toBe(ok);
    if (!ok) expect(result).toEqual({ ok: false, reason: 'outside_tolerance' });
  });

  it('checks the timestamp before spending time on the HMAC of a stale request', () => {
    expect(verify({ now: Number(S1.generatedAt) + 10 * TOLERANCE_MS, secrets: ['wrong'] })).toEqual({
      ok: false,
      reason: 'outside_tolerance',
    });
  });
});
