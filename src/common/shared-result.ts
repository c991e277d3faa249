/**
 * One load shared by every caller: callers while it runs share the one in flight, and callers
 * within `ttlMs` of its end share its result (or its failure, so that a database that is away
 * is not asked again by every caller either), unless `keep` says that outcome is not to be
 * reused. For what unauthenticated endpoints compute from the database (/metrics,
 * /health/ready): any number of requests cost one query per period.
 */
export class SharedResult<T> {
  private current?: { promise: Promise<T>; settledAt?: number; kept: boolean };

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly keep: (outcome: { value: T } | { error: unknown }) => boolean = () => true,
  ) {}

  get(): Promise<T> {
    const current = this.current;
    if (current && (current.settledAt === undefined || (current.kept && this.now() - current.settledAt < this.ttlMs))) {
      return current.promise;
    }
    const entry: { promise: Promise<T>; settledAt?: number; kept: boolean } = { promise: Promise.resolve(undefined as T), kept: false };
    const settle = (kept: boolean) => {
      entry.kept = kept;
      entry.settledAt = this.now();
    };
    entry.promise = this.load().then(
      (value) => (settle(this.keep({ value })), value),
      (error: unknown) => {
        settle(this.keep({ error }));
        throw error;
      },
    );
    this.current = entry;
    return entry.promise;
  }
}
