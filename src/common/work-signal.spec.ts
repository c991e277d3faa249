import {
  INTAKE_BUSY_BACKLOG,
  INTAKE_FLOOD_MS,
  INTAKE_FLOOD_RATE,
  INTAKE_IDLE_MS,
  INTAKE_QUIET_MS,
  INTAKE_RATE_WINDOW_MS,
  WorkSignal,
} from './work-signal';

describe('WorkSignal', () => {
  let now = 1_000_000;
  const signal = () => new WorkSignal(() => now);

  it('does not count ordinary group commit (a few notifications waiting) as busy', () => {
    const sut = signal();
    sut.reportIntakeBacklog(INTAKE_BUSY_BACKLOG - 1);
    expect(sut.intakeBusy).toBe(false);
    sut.reportIntakeBacklog(0);
    expect(sut.intakeBusy).toBe(false);
  });

  /** One notification every 10 ms for `ms`: a load that keeps coming. */
  const trickling = (sut: WorkSignal, ms: number) => {
    for (let at = 0; at < ms; at += 10) {
      sut.noteIntakeArrival();
      now += Math.min(10, ms - at);
    }
  };

  it('counts intake as busy while a backlog waits, and for a quiet period after it clears while notifications keep coming', () => {
    const sut = signal();
    sut.reportIntakeBacklog(INTAKE_BUSY_BACKLOG);
    expect(sut.intakeBusy).toBe(true);
    // A backlog that outlasts the quiet period still has one after it clears.
    now += 10 * INTAKE_QUIET_MS;
    expect(sut.intakeBusy).toBe(true);
    sut.reportIntakeBacklog(2);
    trickling(sut, INTAKE_QUIET_MS - 1);
    expect(sut.intakeBusy).toBe(true);
    now += 1;
    expect(sut.intakeBusy).toBe(false);
  });

  it('ends the quiet period once no notification has come for the idle time: the burst is over', () => {
    const sut = signal();
    sut.reportIntakeBacklog(INTAKE_BUSY_BACKLOG);
    trickling(sut, 100);
    sut.reportIntakeBacklog(0);
    sut.noteIntakeArrival();
    now += INTAKE_IDLE_MS - 1;
    expect(sut.intakeBusy).toBe(true);
    now += 1;
    expect(sut.intakeBusy).toBe(false);
    // While a backlog waits, silence changes nothing: the notifications are held by a commit.
    sut.reportIntakeBacklog(INTAKE_BUSY_BACKLOG);
    now += 10 * INTAKE_IDLE_MS;
    expect(sut.intakeBusy).toBe(true);
  });

  it('says saturated only while the backlog is there, with no quiet period after it', () => {
    const sut = signal();
    sut.noteIntakeArrival();
    sut.reportIntakeBacklog(INTAKE_BUSY_BACKLOG);
    expect(sut.intakeSaturated).toBe(true);
    sut.reportIntakeBacklog(INTAKE_BUSY_BACKLOG - 1);
    expect(sut.intakeSaturated).toBe(false);
    expect(sut.intakeBusy).toBe(true);
  });

  it('restarts the quiet period with each report of a backlog', () => {
    const sut = signal();
    sut.reportIntakeBacklog(INTAKE_BUSY_BACKLOG + 3);
    sut.reportIntakeBacklog(0);
    trickling(sut, INTAKE_QUIET_MS - 10);
    sut.reportIntakeBacklog(INTAKE_BUSY_BACKLOG);
    sut.reportIntakeBacklog(0);
    trickling(sut, INTAKE_QUIET_MS - 10);
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

  it('measures the intake rate over the last whole window, and 0 after a silent one', () => {
    const sut = signal();
    expect(sut.intakeRate).toBe(0);
    for (let i = 0; i < 40; i += 1) sut.noteIntakeArrival();
    now += INTAKE_RATE_WINDOW_MS;
    expect(sut.intakeRate).toBe(160);
    now += INTAKE_RATE_WINDOW_MS / 2;
    expect(sut.intakeRate).toBe(160);
    now += 2 * INTAKE_RATE_WINDOW_MS;
    expect(sut.intakeRate).toBe(0);
  });

  /** Notifications at `perSecond` for `ms`, one window at a time. */
  const arriving = (sut: WorkSignal, perSecond: number, ms: number) => {
    for (let at = 0; at < ms; at += INTAKE_RATE_WINDOW_MS) {
      for (let i = 0; i < (perSecond * INTAKE_RATE_WINDOW_MS) / 1_000; i += 1) sut.noteIntakeArrival();
      now += INTAKE_RATE_WINDOW_MS;
    }
  };

  it('calls intake flooded once arrivals stay above the flood rate for the flood period, not for a burst', () => {
    const sut = signal();
    const fast = 2 * INTAKE_FLOOD_RATE;
    arriving(sut, fast, INTAKE_FLOOD_MS / 2);
    expect(sut.intakeFlooded).toBe(false);
    arriving(sut, fast, INTAKE_FLOOD_MS / 2);
    expect(sut.intakeFlooded).toBe(true);
    arriving(sut, fast, 4 * INTAKE_FLOOD_MS);
    expect(sut.intakeFlooded).toBe(true);
  });

  it('ends the flood with the first window at or below the flood rate, and counts a new one from scratch', () => {
    const sut = signal();
    arriving(sut, 2 * INTAKE_FLOOD_RATE, 2 * INTAKE_FLOOD_MS);
    expect(sut.intakeFlooded).toBe(true);
    arriving(sut, INTAKE_FLOOD_RATE, INTAKE_RATE_WINDOW_MS);
    expect(sut.intakeFlooded).toBe(false);
    arriving(sut, 2 * INTAKE_FLOOD_RATE, INTAKE_FLOOD_MS - INTAKE_RATE_WINDOW_MS);
    expect(sut.intakeFlooded).toBe(false);
  });

  it('ends the flood when arrivals stop, without another arrival to tell it', () => {
    const sut = signal();
    arriving(sut, 2 * INTAKE_FLOOD_RATE, 2 * INTAKE_FLOOD_MS);
    now += 2 * INTAKE_RATE_WINDOW_MS;
    expect(sut.intakeFlooded).toBe(false);
  });
});
