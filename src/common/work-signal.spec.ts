import { INTAKE_QUIET_MS, WorkSignal } from './work-signal';

describe('WorkSignal', () => {
  let now = 1_000_000;
  const signal = () => new WorkSignal(() => now);

  it('counts intake as busy while notifications wait, and for a quiet period after', () => {
    const sut = signal();
    expect(sut.intakeBusy).toBe(false);
    sut.reportIntakeBacklog(3);
    expect(sut.intakeSaturated).toBe(true);
    expect(sut.intakeBusy).toBe(true);

    sut.reportIntakeBacklog(0);
    expect(sut.intakeSaturated).toBe(false);
    now += INTAKE_QUIET_MS - 1;
    expect(sut.intakeBusy).toBe(true);
    now += 1;
    expect(sut.intakeBusy).toBe(false);
  });

  it('restarts the quiet period with each report of a backlog', () => {
    const sut = signal();
    sut.reportIntakeBacklog(1);
    now += INTAKE_QUIET_MS - 10;
    sut.reportIntakeBacklog(2);
    sut.reportIntakeBacklog(0);
    now += INTAKE_QUIET_MS - 10;
    expect(sut.intakeBusy).toBe(true);
  });

  it('rings every subscriber until it unsubscribes', () => {
    const sut = signal();
    const heard: string[] = [];
    const stop = sut.subscribe(() => heard.push('a'));
    sut.subscribe(() => heard.push('b'));
    sut.notify();
    stop();
    sut.notify();
    expect(heard).toEqual(['a', 'b', 'b']);
  });
});
