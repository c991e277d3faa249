import { aFailureNotification, aSuccessNotification, postNotification } from '../support/notifications';
import { waitUntil } from '../support/spool-scenario';
import { parsePrometheus, Sample, sampleValue } from '../support/prometheus';
import { checkExposition } from '../support/promtool';
import { useTestApp } from '../support/use-test-app';

describe('GET /metrics', () => {
  const { db, sut } = useTestApp();
  let samples: Sample[];
  let text: string;
  let contentType: string | null;

  // Retrieval is off in the test app's default configuration, so artifacts stay pending.
  beforeAll(async () => {
    const minutesAgo = Date.now() - 120_000;
    expect((await postNotification(sut().baseUrl, aSuccessNotification(), { generatedAt: minutesAgo })).status).toBe(200);
    expect((await postNotification(sut().baseUrl, aFailureNotification())).status).toBe(200);
    expect((await postNotification(sut().baseUrl, aFailureNotification(), { secret: 'not-the-secret' })).status).toBe(401);
    expect((await postNotification(sut().baseUrl, aFailureNotification(), { headers: { 'generated-at': '' } })).status).toBe(401);
    expect((await fetch(`${sut().baseUrl}/no/such/path/123`)).status).toBe(404);
    const answer = await fetch(`${sut().baseUrl}/metrics`);
    expect(answer.status).toBe(200);
    contentType = answer.headers.get('content-type');
    text = await answer.text();
    samples = parsePrometheus(text);
  });

  it('answers in the Prometheus text format', () => {
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('passes promtool check metrics, and exports no gauge named like a counter', () => {
    expect(checkExposition(text).problems).toEqual([]);
    expect(text).not.toMatch(/^# TYPE nodejs_active_\w+_total gauge$/m);
    expect(samples.some((s) => s.name === 'nodejs_active_handles' && s.labels.type !== undefined)).toBe(true);
  });

  it('counts notifications by vendor status and outcome', () => {
    expect(sampleValue(samples, 'suki_notifications_total', { vendor_status: 'success', outcome: 'applied' })).toBe(1);
    expect(sampleValue(samples, 'suki_notifications_total', { vendor_status: 'failure', outcome: 'applied' })).toBe(1);
  });

  it('counts refused signatures by reason', () => {
    expect(sampleValue(samples, 'suki_webhook_rejected_total', { reason: 'mismatch' })).toBe(1);
    expect(sampleValue(samples, 'suki_webhook_rejected_total', { reason: 'missing_timestamp' })).toBe(1);
  });

  it('observes the clock skew of generated-at', () => {
    expect(sampleValue(samples, 'suki_generated_at_skew_seconds_count')).toBe(2);
    expect(sampleValue(samples, 'suki_generated_at_skew_seconds_bucket', { le: '60' })).toBe(1);
    expect(sampleValue(samples, 'suki_generated_at_skew_seconds_bucket', { le: '300' })).toBe(2);
  });

  it('times requests by method, route pattern and status, never by raw path', () => {
    const count = (labels: Record<string, string>) => sampleValue(samples, 'http_request_duration_seconds_count', labels);
    expect(count({ method: 'POST', route: '/webhooks/notification', status_code: '200' })).toBe(2);
    expect(count({ method: 'POST', route: '/webhooks/notification', status_code: '401' })).toBe(2);
    expect(count({ method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(samples.some((s) => s.labels.route?.includes('/no/such/path'))).toBe(false);
  });

  it('reads the retrieval backlog from the database at scrape time', async () => {
    expect(sampleValue(samples, 'suki_artifacts_pending')).toBe(5);
    const age = sampleValue(samples, 'suki_artifact_oldest_pending_age_seconds')!;
    expect(age).toBeGreaterThanOrEqual(120);
    expect(age).toBeLessThan(180);

    await db().query("UPDATE artifacts SET status = 'ready' WHERE status = 'pending'");
    // The gauges are read at most once per cache period (a few seconds): the next read sees the change.
    let after = parsePrometheus('');
    await waitUntil('the next read of the backlog', async () => {
      after = parsePrometheus(await (await fetch(`${sut().baseUrl}/metrics`)).text());
      return sampleValue(after, 'suki_artifacts_pending') === 0;
    });
    expect(sampleValue(after, 'suki_artifact_oldest_pending_age_seconds')).toBe(0);
  });
});
