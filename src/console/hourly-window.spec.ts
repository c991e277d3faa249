import { WindowedTotal } from './hourly-window';

const MIN = 60_000;

describe('WindowedTotal', () => {
  it.each<[string, Array<[number, number]>, { value: number; coversMs: number }]>([
    ['nothing sampled', [], { value: 0, coversMs: 0 }],
    ['one sample', [[0, 5]], { value: 0, coversMs: 0 }],
    [
      'less than the window: since the first sample',
      [
        [0, 5],
        [10 * MIN, 9],
      ],
      { value: 4, coversMs: 10 * MIN },
    ],
    [
      'more than the window: only its last hour',
      [
        [0, 0],
        [30 * MIN, 10],
        [70 * MIN, 15],
        [95 * MIN, 40],
      ],
      { value: 30, coversMs: 60 * MIN },
    ],
    [
      'a reset counter counts from zero',
      [
        [0, 50],
        [5 * MIN, 3],
      ],
      { value: 3, coversMs: 5 * MIN },
    ],
  ])('%s', (_case, samples, expected) => {
    const window = new WindowedTotal(60 * MIN);
    for (const [at, total] of samples) window.record(at, total);
    expect(window.delta()).toEqual(expected);
  });
});
