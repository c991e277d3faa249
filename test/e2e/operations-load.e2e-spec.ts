import { PrismaService } from '../../src/database/prisma.service';
import { OperationsDatabase } from '../../src/database/operations-database';
import { parsePrometheus, sampleValue } from '../support/prometheus';
import { useTestApp } from '../support/use-test-app';

/**
 * /metrics and /health/ready are unauthenticated: a flood of them must cost the database one
 * query per cache period, and never one of intake's connections.
 */
describe('operations endpoints under a flood of requests', () => {
  // No background work (retrieval, push dispatch) on this app: every use of intake's pool the spies see is a scrape's.
  const { sut } = useTestApp({ env: { RETRIEVAL_ENABLED: 'false', PUSH_ENABLED: 'false' } });

  /** Spies on every statement of the operations pool, and on every use of intake's pool. */
  function watchPools() {
    const operations = sut().app.get(OperationsDatabase);
    const statements = jest.spyOn(operations, 'rows');
    const intake = sut().app.get(PrismaService).pool;
    const intakeQueries = jest.spyOn(intake, 'query');
    const intakeConnects = jest.spyOn(intake, 'connect');
    const texts = () => statements.mock.calls.map(([text]) => text);
    const restore = () => [statements, intakeQueries, intakeConnects].forEach((spy) => spy.mockRestore());
    return { texts, intakeUses: () => intakeQueries.mock.calls.length + intakeConnects.mock.calls.length, restore };
  }

  it('answers 40 rapid scrapes with at most one query of each pending-work aggregate, none on intake’s pool', async () => {
    const pools = watchPools();
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, () => fetch(`${sut().baseUrl}/metrics`).then((r) => r.text())));
      for (let i = 0; i < 20; i += 1) burst.push(await (await fetch(`${sut().baseUrl}/metrics`)).text());

      expect(burst.every((text) => sampleValue(parsePrometheus(text), 'suki_artifacts_pending') === 0)).toBe(true);
      // Two aggregates read pending work (the backlog, and retrieval's queue depth by kind): each at most once.
      const backlogQueries = pools.texts().filter((text) => text.includes("status = 'pending'"));
      expect(backlogQueries.length).toBeGreaterThan(0);
      expect(backlogQueries.length).toBe(new Set(backlogQueries).size);
      expect(pools.intakeUses()).toBe(0);
    } finally {
      pools.restore();
    }
  });

  it('answers 40 rapid readiness probes with at most one migrations check, none on intake’s pool', async () => {
    const pools = watchPools();
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, () => fetch(`${sut().baseUrl}/health/ready`)));
      for (let i = 0; i < 20; i += 1) burst.push(await fetch(`${sut().baseUrl}/health/ready`));

      expect(burst.map((answer) => answer.status)).toEqual(burst.map(() => 200));
      expect(pools.texts().filter((text) => text.includes('_prisma_migrations')).length).toBeLessThanOrEqual(2);
      expect(pools.intakeUses()).toBe(0);
    } finally {
      pools.restore();
    }
  });
});
