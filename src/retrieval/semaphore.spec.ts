import { Semaphore } from './semaphore';

/** A task the test finishes by hand, so that no timing is involved. */
function deferredTask(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { run: async () => (log.push(`start ${name}`), await done, log.push(`end ${name}`), name), finish };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once and starts the waiters in arrival order', async () => {
    const log: string[] = [];
    const sut = new Semaphore(2);
    const tasks = ['a', 'b', 'c', 'd'].map((name) => deferredTask(log, name));
    const results = tasks.map((task) => sut.run(task.run));
    await turn();
    expect(log).toEqual(['start a', 'start b']);
    tasks[1].finish();
    await turn();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    tasks[0].finish();
    tasks[2].finish();
    tasks[3].finish();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
    expect(log.filter((line) => line.startsWith('start'))).toEqual(['start a', 'start b', 'start c', 'start d']);
  });

  it('frees the slot of a task that failed', async () => {
    const sut = new Semaphore(1);
    await expect(sut.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sut.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
