import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSukiApi, startFakeSukiApi } from '../support/fake-suki-api';
import { aSuccessNotification, postNotification } from '../support/notifications';
import { REPO_ROOT } from '../support/service-process';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { artifactsOf, eventually, FAST_RETRIEVAL } from './retrieval.support';

const ADMIN = 'operator-admin-token-0123456789';
const READER = 'reader-token-0123456789';

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run retrieval`: the operator lists the dead letters and retries them, over the admin endpoints. */
describe('npm run retrieval', () => {
  let db: TestDatabase;
  let fake: FakeSukiApi;
  let sut: TestApp;
  // The working directory (no .env) and a DATA_DIR holding a development token.
  let cwd: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeSukiApi();
    sut = await startTestApp(db.url, {
      ...FAST_RETRIEVAL,
      SUKI_API_BASE_URL: fake.baseUrl,
      INTERNAL_API_CLIENTS: `operator:admin:${ADMIN},reader:read:${READER}`,
    });
    cwd = mkdtempSync(join(tmpdir(), 'suki-retrieval-cli-'));
    writeFileSync(join(cwd, 'dev-secrets.json'), JSON.stringify({ internalApiToken: ADMIN }));
  });

  afterAll(async () => {
    await sut?.close();
    await fake?.close();
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** Runs the script to its exit; the token comes from DATA_DIR/dev-secrets.json unless given. */
  const cli = (args: string[], env: Record<string, string> = {}): Promise<Exit> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'scripts/retrieval.js'), ...args],
        { cwd, env: { PATH: process.env.PATH ?? '', DATA_DIR: cwd, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  /** A session whose transcript Suki says does not exist, until the test says otherwise. */
  async function aFailedTranscript() {
    const sessionId = randomUUID();
    const encounterId = randomUUID();
    fake.script(`/api/v1/ambient/session/${sessionId}/transcript`, { status: 404 });
    await postNotification(sut.baseUrl, aSuccessNotification({ session_id: sessionId, encounter_id: encounterId }));
    await eventually(
      () => artifactsOf(db, encounterId),
      (rows) => rows.length === 5 && rows.every((row) => row.status !== 'pending'),
    );
    return { sessionId, encounterId };
  }

  it('lists the dead letters one line each, and retries one session until its transcript is ready', async () => {
    const target = await aFailedTranscript();
    const other = await aFailedTranscript();

    const listed = await cli(['failed', '--url', sut.baseUrl]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    // Newest first, each with its state and reason.
    expect(lines[0]).toMatch(
      new RegExp(`^\\S+Z  failed  transcripts +attempts=1 session=${other.sessionId} encounter=${other.encounterId}  HTTP 404: not_found$`),
    );
    expect(lines[1]).toContain(`session=${target.sessionId}`);

    fake.script(`/api/v1/ambient/session/${target.sessionId}/transcript`, {});
    const retried = await cli(['retry', '--session', target.sessionId, '--url', sut.baseUrl]);
    expect(retried).toEqual({ code: 0, stdout: 'retried 1 failed artifact(s): pending again, for a fresh retry horizon\n', stderr: '' });
    await eventually(
      () => artifactsOf(db, target.encounterId),
      (rows) => rows.every((row) => row.status === 'ready'),
    );
    const after = await cli(['failed', '--url', sut.baseUrl]);
    expect(after.stdout.trim().split('\n')).toEqual([lines[0]]);
    // The retry is in the audit, by the client whose token the CLI used.
    const audited = await db.query(`SELECT client, kind::text FROM access_audit WHERE action = 'artifacts.retry' AND session_id = $1`, [
      target.sessionId,
    ]);
    expect(audited).toEqual([{ client: 'operator', kind: 'transcripts' }]);
  });

  it('pages with --limit, and walks every page with --all', async () => {
    await aFailedTranscript();
    await aFailedTranscript();
    const onePage = await cli(['failed', '--limit', '1', '--url', sut.baseUrl]);
    expect([onePage.code, onePage.stdout.trim().split('\n').length]).toEqual([0, 1]);
    expect(onePage.stderr).toBe('1 shown; more follow (--all for every one)\n');
    const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM artifacts WHERE status = 'failed'`))[0].n;
    const every = await cli(['failed', '--limit', '1', '--all', '--url', sut.baseUrl]);
    expect([every.code, every.stdout.trim().split('\n').length, every.stderr]).toEqual([0, total, '']);
  });

  it('exits 1 with the service’s message for a client without scope admin', async () => {
    const refused = await cli(['retry', '--url', sut.baseUrl, '--token', READER]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: '403 Forbidden: this endpoint needs scope admin, which client reader does not have (it has read)\n',
    });
    const bad = await cli(['failed', '--since', 'yesterday', '--url', sut.baseUrl], { ADMIN_API_TOKEN: ADMIN });
    expect([bad.code, bad.stderr]).toEqual([
      1,
      '400 Bad Request: updatedSince must be an ISO-8601 date or date-time with a zone, e.g. 2026-11-27T10:00:00Z\n',
    ]);
  });

  it('names the URL it could not reach', async () => {
    const closed = await freePort();
    expect(await cli(['failed', '--url', `http://127.0.0.1:${closed}`])).toEqual({
      code: 1,
      stdout: '',
      stderr: `could not reach http://127.0.0.1:${closed}/v1/artifacts: connection refused (is the service running? npm start)\n`,
    });
  });

  it('prints its usage: exit 0 on --help, 2 for a usage error', async () => {
    const help = await cli(['--help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/^usage: npm run retrieval -- <failed\|retry>/)]);
    for (const args of [
      [],
      ['purge'],
      ['failed', '--kind'],
      ['retry', '--all'],
      ['failed', '--limit', '0'],
      ['failed', '--sessionId', 'x'],
    ]) {
      const usage = await cli(args);
      expect([usage.code, usage.stdout]).toEqual([2, '']);
      expect(usage.stderr).toMatch(/\nusage: npm run retrieval -- /);
    }
  });
});

/** A port nothing listens on: one the system just handed out and that was closed again. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
