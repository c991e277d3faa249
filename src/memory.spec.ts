import { applyHeapPolicy, HEAP_GROWING_PERCENT } from './memory';

describe('applyHeapPolicy', () => {
  it('applies the service default when nothing is configured', () => {
    expect(applyHeapPolicy({})).toBe(HEAP_GROWING_PERCENT);
    expect(applyHeapPolicy({ V8_HEAP_GROWING_PERCENT: '' })).toBe(HEAP_GROWING_PERCENT);
  });

  it('takes an operator setting, and 0 for V8 default behaviour', () => {
    expect(applyHeapPolicy({ V8_HEAP_GROWING_PERCENT: '60' })).toBe(60);
    expect(applyHeapPolicy({ V8_HEAP_GROWING_PERCENT: '0' })).toBe(0);
  });

  it.each(['-1', '2.5', 'lots', '1001'])('refuses %s with the variable named', (value) => {
    expect(() => applyHeapPolicy({ V8_HEAP_GROWING_PERCENT: value })).toThrow(/V8_HEAP_GROWING_PERCENT must be an integer from 0 to 1000/);
  });

  afterAll(() => applyHeapPolicy({ V8_HEAP_GROWING_PERCENT: String(HEAP_GROWING_PERCENT) }));
});
