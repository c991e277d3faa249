import { loadConfig } from './config/load-config';
import { applyHeapPolicy, capNewSpace, HEAP_GROWING_PERCENT } from './memory';

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

describe('capNewSpace', () => {
  const MIB = 2 ** 20;

  it('stops the young generation growing once it reaches the cap, and lets it grow again below', async () => {
    const flags: string[] = [];
    let size = 8 * MIB;
    const stop = capNewSpace(
      32,
      (flag) => flags.push(flag),
      () => size,
    );
    try {
      expect(flags).toEqual(['--semi-space-growth-factor=2']);
      size = 32 * MIB;
      // A real collection makes the observer look again.
      await collectUntil(() => flags.length === 2);
      expect(flags[1]).toBe('--semi-space-growth-factor=1');
      size = 4 * MIB;
      await collectUntil(() => flags.length === 3);
      expect(flags[2]).toBe('--semi-space-growth-factor=2');
    } finally {
      stop();
    }
  });

  it('gives V8 its own growth back for 0, and watches nothing', () => {
    const flags: string[] = [];
    const sizes: number[] = [];
    capNewSpace(
      0,
      (flag) => flags.push(flag),
      () => sizes.push(1) && 128 * MIB,
    )();
    expect(flags).toEqual(['--semi-space-growth-factor=2']);
    expect(sizes).toEqual([]);
  });
});

/** Allocates (so that scavenges happen) and yields until `done`. */
async function collectUntil(done: () => boolean): Promise<void> {
  for (let round = 0; round < 500 && !done(); round += 1) {
    const garbage: object[] = [];
    for (let i = 0; i < 50_000; i += 1) garbage.push({ i });
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (!done()) throw new Error('no collection was observed');
}
