import { SharedResult } from './shared-result';

describe('SharedResult', () => {
  let now = 1_000;
  const setup = (results: Array<() => Promise<string>>) => {
    let calls = 0;
    const sut = new SharedResult(
      () => results[Math.min(calls++, results.length - 1)](),
      5_000,
      () => now,
    );
    return { sut, calls: () => calls };
  };

  it('shares one load among callers while it runs', async () => {
    let finish!: (value: string) => void;
    const { sut, calls } = setup([() => new Promise((resolve) => (finish = resolve))]);
    const answers = Promise.all([sut.get(), sut.get(), sut.get()]);
    finish('a');
    expect(await answers).toEqual(['a', 'a', 'a']);
    expect(calls()).toBe(1);
  });

  it.each([
    ['just after it settled', 0, 1],
    ['one millisecond before the period ends', 4_999, 1],
    ['when the period has ended', 5_000, 2],
  ])('counts the period from the end of the load: asked %s, loads %i time(s)', async (_name, later, loads) => {
    const { sut, calls } = setup([() => Promise.resolve('first'), () => Promise.resolve('second')]);
    await sut.get();
    now += later;
    expect(await sut.get()).toBe(loads === 1 ? 'first' : 'second');
    expect(calls()).toBe(loads);
  });

  it('shares a failure for the period too, then loads again', async () => {
    const { sut, calls } = setup([() => Promise.reject(new Error('away')), () => Promise.resolve('back')]);
    await expect(sut.get()).rejects.toThrow('away');
    await expect(sut.get()).rejects.toThrow('away');
    now += 5_000;
    expect(await sut.get()).toBe('back');
    expect(calls()).toBe(2);
  });

  it('reuses only what keep accepts, and still shares one load in flight', async () => {
    let calls = 0;
    const values = [['pending'], [], []];
    const sut = new SharedResult(
      () => Promise.resolve(values[calls++]),
      5_000,
      () => now,
      (outcome) => 'value' in outcome && outcome.value.length === 0,
    );
    expect(await Promise.all([sut.get(), sut.get()])).toEqual([['pending'], ['pending']]);
    expect(calls).toBe(1);
    expect(await sut.get()).toEqual([]);
    expect(await sut.get()).toEqual([]);
    expect(calls).toBe(2);
  });
});
