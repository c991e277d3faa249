import { applyHeapPolicy, HEAP_GROWING_PERCENT } from './memory';

describe('applyHeapPolicy', () => {
  const apply = (value?: string) => {
    const flags: string[] = [];
    const percent = applyHeapPolicy(value === undefined ? {} : { V8_HEAP_GROWING_PERCENT: value }, (flag) => flags.push(flag));
    return { percent, flags };
  };

  it('sets the service default when nothing is configured', () => {
    expect(apply()).toEqual({ percent: HEAP_GROWING_PERCENT, flags: [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`] });
    expect(apply('')).toEqual({ percent: HEAP_GROWING_PERCENT, flags: [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`] });
  });

  it('takes an operator setting, and leaves V8 alone for 0', () => {
    expect(apply('60')).toEqual({ percent: 60, flags: ['--heap-growing-percent=60'] });
    expect(apply('0')).toEqual({ percent: 0, flags: [] });
  });

  it.each(['-1', '2.5', 'lots', '1001'])('refuses %s with the variable named, setting nothing', (value) => {
    const flags: string[] = [];
    expect(() => applyHeapPolicy({ V8_HEAP_GROWING_PERCENT: value }, (flag) => flags.push(flag))).toThrow(
      /V8_HEAP_GROWING_PERCENT must be an integer from 0 to 1000/,
    );
    expect(flags).toEqual([]);
  });
});
