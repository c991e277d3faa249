import { mapSukiSessionStatus, mapVendorStatus } from './status-mapping';

describe('mapVendorStatus', () => {
  it.each([
    ['success', 'completed'],
    ['SUCCESS', 'completed'],
    ['failure', 'failed'],
    ['Failure', 'failed'],
    ['timeout', 'timed_out'],
    ['timed_out', 'timed_out'],
    ['time_out', 'timed_out'],
    ['session_timeout', 'timed_out'],
    ['TIMEOUT', 'timed_out'],
    ['cancelled', 'cancelled'],
    ['canceled', 'cancelled'],
    ['cancellation', 'cancelled'],
    ['aborted', 'cancelled'],
    ['session_cancelled', 'cancelled'],
    ['Cancelled', 'cancelled'],
  ])('maps %s to %s', (vendor, expected) => {
    expect(mapVendorStatus(vendor)).toBe(expected);
  });

  it.each([['in_progress'], ['skipped'], [''], ['constructor'], ['__proto__'], [42], [null], [undefined], [{}]])(
    'does not recognise %p',
    (vendor) => {
      expect(mapVendorStatus(vendor)).toBeUndefined();
    },
  );
});

describe('mapSukiSessionStatus', () => {
  it.each([
    ['completed', 'completed'],
    ['COMPLETED', 'completed'],
    ['failed', 'failed'],
    ['FAILED', 'failed'],
    ['aborted', 'cancelled'],
    ['skipped', 'skipped'],
    ['SKIPPED', 'skipped'],
  ])('settles %s as %s', (value, expected) => {
    expect(mapSukiSessionStatus(value)).toBe(expected);
  });

  it.each([['created'], ['ready'], ['running'], ['paused'], ['something_new'], [null], [7]])('leaves %p unsettled', (value) => {
    expect(mapSukiSessionStatus(value)).toBeUndefined();
  });
});
