/**
 * jest.config.js sets TZ=UTC for both projects (src/test-environment.spec.ts is the unit half):
 * local-time dates in tests must not depend on the machine's zone.
 */
describe('the end-to-end tests run in UTC', () => {
  it('sees TZ=UTC and a zero offset, summer and winter', () => {
    expect(process.env.TZ).toBe('UTC');
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe('UTC');
    expect([new Date(2026, 0, 15).getTimezoneOffset(), new Date(2026, 6, 15).getTimezoneOffset()]).toEqual([0, 0]);
  });
});
