import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aFailureNotification, aSuccessNotification, postNotification } from '../support/notifications';
import { REPO_ROOT } from '../support/service-process';
import { TEST_INTERNAL_TOKEN } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { waitFor } from '../support/waiting';
import { feedWaiters } from './events.support';

/** `npm run follow`: one line per event as they happen, filtered by --types, Ctrl-C exits 0. */
describe('npm run follow', () => {
  const { sut } = useTestApp();
  let cwd: string;

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'suki-follow-'));
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  const start = (...args: string[]) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts/follow.js'), '--url', sut().baseUrl, ...args], {
      env: { PATH: process.env.PATH ?? '', INTERNAL_API_TOKENS: TEST_INTERNAL_TOKEN },
      cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const until = async (condition: () => boolean, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`follow did not get there; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    return { child, exited, until, stdout: () => stdout, stderr: () => stderr };
  };

  it('prints new events as one line each, only the types asked for, and exits 0 on Ctrl-C', async () => {
    await postNotification(sut().baseUrl, aFailureNotification());
    const follow = start('--types', 'session.completed', '--from', 'now');
    await follow.until(() => follow.stderr().includes('following'));
    // Its first long-poll starts from "now", after the failure above: wait until it is waiting. The
    // only long-poll of this file's service so far, so the count going to 1 is the CLI's.
    await waitFor(async () => (await feedWaiters(sut().baseUrl)) >= 1, 'the long-poll to be waiting', 10_000);
    const success = aSuccessNotification();
    await postNotification(sut().baseUrl, aFailureNotification());
    await postNotification(sut().baseUrl, success);

    await follow.until(() => follow.stdout().includes(String(success.session_id)));
    follow.child.kill('SIGINT');
    expect(await follow.exited).toBe(0);
    const lines = follow.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  session\\.completed +session=${String(success.session_id)} encounter=`),
    );
  }, 30_000);

  it('--from start prints what is already there', async () => {
    const follow = start('--from', 'start', '--types', 'session.failed');
    await follow.until(() => follow.stdout().trim().split('\n').length >= 2);
    follow.child.kill('SIGINT');
    expect(await follow.exited).toBe(0);
    expect(follow.stdout()).toContain('session.failed');
  }, 30_000);

  it('refuses an unknown option with exit code 2', async () => {
    const follow = start('--from', 'yesterday');
    expect(await follow.exited).toBe(2);
    expect(follow.stderr()).toContain('usage: npm run follow');
  });
});
