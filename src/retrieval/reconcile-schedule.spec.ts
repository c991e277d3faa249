import { maxPollsWithin, minPollsWithin, nextPoll, pollDelay, RECONCILE_JITTER } from './reconcile-schedule';

const DEFAULTS = { baseMs: 60_000, maxMs: 1_800_000, horizonMs: 172_800_000 };

describe('the reconcile poll schedule', () => {
  it.each([
    { polls: 1, ceiling: 60_000 },
    { polls: 2, ceiling: 120_000 },
    { polls: 5, ceiling: 960_000 },
    { polls: 6, ceiling: 1_800_000 },
    { polls: 60, ceiling: 1_800_000 },
  ])('after poll $polls waits between 3/4 of $ceiling ms and all of it', ({ polls, ceiling }) => {
    expect(pollDelay(polls, DEFAULTS, () => 0)).toBe(ceiling);
    expect(pollDelay(polls, DEFAULTS, () => 1)).toBe(ceiling * (1 - RECONCILE_JITTER));
  });

  it('stops once a poll begins past the horizon, saying so', () => {
    expect(nextPoll(3, DEFAULTS.horizonMs - 1, DEFAULTS, () => 0)).toEqual({ poll: true, delayMs: 240_000 });
    expect(nextPoll(3, DEFAULTS.horizonMs, DEFAULTS, () => 0)).toEqual({ poll: false, reason: 'still unknown at Suki after 3 polls' });
  });

  it('bounds what one session costs over the default 48 h horizon', () => {
    // 1+2+4+8+16 min of ramp, then 30 min apart (22.5 min at the most jitter); the poll that
    // finds the horizon passed is a call too.
    expect(minPollsWithin(DEFAULTS)).toBe(101);
    expect(maxPollsWithin(DEFAULTS)).toBe(133);
  });

  it('polls a session once when the horizon is zero', () => {
    expect(maxPollsWithin({ ...DEFAULTS, horizonMs: 0 })).toBe(1);
  });
});
