import { loadConfig } from './config/load-config';
import { applyHeapPolicy, HEAP_GROWING_PERCENT } from './memory';

/** The flags the policy sets for V8_HEAP_GROWING_PERCENT=`value` (unset when undefined), through loadConfig as at boot. */
function flagsFor(value?: string): string[] {
  const flags: string[] = [];
  const config = loadConfig(value === undefined ? {} : { V8_HEAP_GROWING_PERCENT: value });
  applyHeapPolicy(config.heapGrowingPercent, (flag) => flags.push(flag));
  return flags;
}

describe('applyHeapPolicy', () => {
  it('sets the service default when nothing is configured', () => {
    expect(flagsFor()).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(flagsFor('')).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it('takes an operator setting, and leaves V8 alone for 0', () => {
    expect(flagsFor('60')).toEqual(['--heap-growing-percent=60']);
    expect(flagsFor('0')).toEqual([]);
  });

  it.each(['-1', '2.5', 'lots', '1001'])('refuses %s with the variable named, before any flag is set', (value) => {
    expect(() => flagsFor(value)).toThrow(/V8_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000/);
  });
});
