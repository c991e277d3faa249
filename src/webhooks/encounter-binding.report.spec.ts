import { Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { EncounterBindingReport } from './encounter-binding.report';
import { IntakeRecord } from './intake-record';

describe('EncounterBindingReport', () => {
  const record = { sessionId: 's-1', encounterId: 'e-named', knownSessions: [], artifacts: [] } as unknown as IntakeRecord;

  function setup() {
    const metrics = new MetricsService();
    const report = new EncounterBindingReport(metrics);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const count = async (result: string) =>
      (await metrics.registry.getSingleMetric('suki_session_encounter_bindings_total')!.get()).values.find(
        (value) => value.labels.result === result,
      )?.value ?? 0;
    return { report, warn, count };
  }

  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['applied', null],
    ['stale', null],
    ['duplicate', null],
  ] as const)('says nothing of an %s notification that moved nothing', async (outcome, held) => {
    const { report, warn, count } = setup();
    report.report(record, outcome, held);
    expect(warn).not.toHaveBeenCalled();
    expect([await count('changed'), await count('conflict')]).toEqual([0, 0]);
  });

  it('counts a move and warns with both encounters', async () => {
    const { report, warn, count } = setup();
    report.report(record, 'applied', 'e-provisional');
    expect(await count('changed')).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^session=s-1 encounter=e-named previousEncounter=e-provisional: moved/));
  });

  it('counts a conflict and warns with the encounter named and the one it stays bound to', async () => {
    const { report, warn, count } = setup();
    report.report(record, 'conflict', 'e-bound');
    expect([await count('changed'), await count('conflict')]).toEqual([0, 1]);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/session=s-1 encounter=e-named conflicts: the session is bound to encounter=e-bound/),
    );
  });
});
