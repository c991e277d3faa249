import { BUSY_TRICKLE_MS, BusyTrickle } from './busy-trickle';

describe('BusyTrickle', () => {
  it('lets one delivery start per period for the whole process', () => {
    const trickle = new BusyTrickle();
    expect(trickle.due(1_000)).toBe(true);
    trickle.took(1_000);
    // Another subscription's runner, a moment later: not yet.
    expect(trickle.due(1_000 + BUSY_TRICKLE_MS - 1)).toBe(false);
    expect(trickle.untilDue(1_000 + 50)).toBe(BUSY_TRICKLE_MS - 50);
    expect(trickle.due(1_000 + BUSY_TRICKLE_MS)).toBe(true);
    expect(trickle.untilDue(1_000 + BUSY_TRICKLE_MS + 5)).toBe(0);
  });
});
