/**
 * jest.config.js sets TZ=UTC for both projects (test/e2e/test-environment.e2e-spec.ts is the
 * e2e half): local-time dates in tests must not depend on the machine's zone.
 */
describe('the unit tests run in UTC', () => {
  it('sees TZ=UTC and a zero offset, summer and winter', () => {
    expect(process.env.TZ).toBe('UTC');
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe('UTC');
    expect([new Date(2026, 0, 15).getTimezoneOffset(), new Date(2026, 6, 15).getTimezoneOffset()]).toEqual([0, 0]);
  });
});
