import type { AppConfig } from '../config/app-config';
import { ConsoleViews } from './console-views';
import { formatAge, noteSections, timeToNoteSummary } from './console.views';

const views = new ConsoleViews({ production: false } as AppConfig);
const frame = { title: 'T' };
const client = { name: 'ops', scopes: ['read', 'content'] };

describe('console templates', () => {
  const hostile = `<script>alert('x')</script>"onmouseover="x`;

  it('escape every value they print (autoEscape)', () => {
    const html = views.render('session', {
      frame: { title: hostile, query: hostile },
      client: { name: hostile, scopes: ['read'] },
      csrfToken: hostile,
      session: {
        sessionId: hostile,
        encounterId: hostile,
        status: hostile,
        source: 'notification',
        vendorStatus: hostile,
        errorCode: hostile,
        errorDetail: hostile,
        createdAt: '',
        updatedAt: '',
      },
      sourceWords: hostile,
      deliveries: [{ generatedAt: hostile, receivedAt: '', vendorStatus: hostile, outcome: hostile, rejectReason: hostile }],
      artifacts: [{ kind: hostile, status: 'failed', attempts: 1, lastError: hostile, nextAttemptAt: null, fetchedAt: null }],
      events: [{ occurredAt: '', type: hostile, status: null, kind: null }],
      pushDeliveries: [],
      note: { sections: [{ title: hostile, content: hostile }] },
    });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('"onmouseover="');
    expect(html).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;onmouseover=&quot;x');
  });

  it('put no inline script or style attribute on any page', () => {
    const pages: Array<[string, object]> = [
      ['sign-in', { refused: true }],
      ['error', { message: 'm' }],
      ['retry-done', { retried: 2, form: {} }],
      ['retry-confirm', { count: 3, form: { kind: 'transcripts' } }],
      ['subscriptions', { items: [] }],
    ];
    for (const [template, data] of pages) {
      const html = views.render(template, { frame, client, csrfToken: 't', ...data });
      expect(html).not.toMatch(/style="|<style|<script>|<script(?![^>]*\bsrc=)[^>]*>|\bon[a-z]+="/);
    }
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0 s'],
    [59.6, '60 s'],
    [119, '119 s'],
    [120, '2 min'],
    [7199, '119 min'],
    [7200, '2 h 0 min'],
    [49 * 3600, '2 d 1 h'],
    [-5, '0 s'],
  ])('%s s is %s', (seconds, words) => expect(formatAge(seconds)).toBe(words));
});

describe('timeToNoteSummary', () => {
  it.each([
    ['no note in the hour', { notes: 0, p50: null, p95: null }, undefined],
    ['one note', { notes: 1, p50: 2.04, p95: 2.04 }, 'p50 2.0 s, p95 2.0 s over 1 note (last hour)'],
    ['many notes', { notes: 37, p50: 1.234, p95: 3.96 }, 'p50 1.2 s, p95 4.0 s over 37 notes (last hour)'],
    ['long waits as ages', { notes: 5, p50: 95, p95: 1_900 }, 'p50 95.0 s, p95 31 min over 5 notes (last hour)'],
  ])('%s', (_case, waits, expected) => expect(timeToNoteSummary(waits)).toBe(expected));
});

describe('noteSections', () => {
  it.each<[string, unknown, Array<{ title: string; content: string }> | undefined]>([
    ['a note', { summary: [{ title: 'PLAN', content: 'Rest', loinc_code: '1' }] }, [{ title: 'PLAN', content: 'Rest' }]],
    ['no summary', { structured_data: [] }, undefined],
    ['a section of another shape', { summary: [{ title: 'PLAN' }] }, undefined],
    ['not an object', 'text', undefined],
    ['null', null, undefined],
  ])('%s', (_case, data, expected) => expect(noteSections(data)).toEqual(expected));
});
