import { BreakerState, CircuitBreaker } from './circuit-breaker';

const settings = { failureThreshold: 3, probeBaseMs: 1_000, probeMaxMs: 8_000 };

function setup(random = 1) {
  let now = 0;
  const changes: BreakerState[] = [];
  const sut = new CircuitBreaker(
    settings,
    () => now,
    () => random,
    (state) => changes.push(state),
  );
  return { sut, changes, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('runs at full concurrency while Suki answers, permanent answers included', () => {
    const { sut } = setup();
    for (let i = 0; i < 10; i++) sut.record(i % 2 ? 'answered' : 'transient');
    expect(sut.state).toBe('closed');
    expect(sut.permits(8, 3)).toBe(5);
  });

  it('opens after the threshold of transient failures in a row and permits nothing until the probe time', () => {
    const { sut, changes, advance } = setup();
    sut.record('transient');
    sut.record('transient');
    expect(sut.permits(8, 0)).toBe(8);
    sut.record('transient');
    expect(changes).toEqual(['open']);
    expect(sut.permits(8, 0)).toBe(0);
    expect(sut.untilProbeMs()).toBe(1_000);
    advance(999);
    expect(sut.permits(8, 0)).toBe(0);
    advance(1);
    expect(sut.permits(8, 0)).toBe(1);
    // Not while a call begun before opening is still out.
    expect(sut.permits(8, 1)).toBe(0);
  });

  it('lets one probe out at a time, and closes on its answer', () => {
    const { sut, changes, advance } = setup();
    for (let i = 0; i < 3; i++) sut.record('transient');
    advance(1_000);
    sut.probeStarted();
    expect(sut.state).toBe('half_open');
    expect(sut.permits(8, 0)).toBe(0);
    sut.record('answered');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
    expect(sut.permits(8, 0)).toBe(8);
  });

  it('doubles the wait with every failed probe, up to the cap', () => {
    const { sut, advance } = setup();
    for (let i = 0; i < 3; i++) sut.record('transient');
    const waits: number[] = [];
    for (let probe = 0; probe < 6; probe++) {
      const wait = sut.untilProbeMs();
      waits.push(wait);
      advance(wait);
      sut.probeStarted();
      sut.record('transient');
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('spreads the probe time with jitter, never below half the wait', () => {
    const { sut } = setup(0);
    for (let i = 0; i < 3; i++) sut.record('transient');
    expect(sut.untilProbeMs()).toBe(500);
  });

  it("honours Suki's Retry-After for the probe, up to the cap", () => {
    const a = setup();
    for (let i = 0; i < 3; i++) a.sut.record('transient', 5_000);
    expect(a.sut.untilProbeMs()).toBe(5_000);
    const b = setup();
    for (let i = 0; i < 3; i++) b.sut.record('transient', 3_600_000);
    expect(b.sut.untilProbeMs()).toBe(8_000);
  });

  it('ignores failures of calls begun before it opened, but closes on their success', () => {
    const { sut } = setup();
    for (let i = 0; i < 3; i++) sut.record('transient');
    const wait = sut.untilProbeMs();
    sut.record('transient');
    expect(sut.untilProbeMs()).toBe(wait);
    sut.record('answered');
    expect(sut.state).toBe('closed');
  });

  it('probes again at once when a probe ended without a verdict', () => {
    const { sut, advance } = setup();
    for (let i = 0; i < 3; i++) sut.record('transient');
    advance(1_000);
    sut.probeStarted();
    advance(50);
    sut.probeEnded();
    expect(sut.state).toBe('open');
    expect(sut.permits(8, 0)).toBe(1);
  });

  it('counts only failures in a row: an answer in between starts the count again', () => {
    const { sut } = setup();
    sut.record('transient');
    sut.record('transient');
    sut.record('answered');
    sut.record('transient');
    sut.record('transient');
    expect(sut.state).toBe('closed');
  });
});
