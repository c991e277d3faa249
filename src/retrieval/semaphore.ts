/** At most `limit` tasks at once; the rest wait their turn in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so no newcomer can overtake it.
      const next = this.queue.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
