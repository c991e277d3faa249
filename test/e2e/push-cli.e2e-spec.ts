import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/service-process';
import { PushReceiver, startPushReceiver, waitFor } from '../support/push-receiver';
import { useTestApp } from '../support/use-test-app';
import { PUSH_ADMIN, PUSH_ENV } from './push.support';

const run = promisify(execFile);

/** `npm run subscriptions`: every subcommand through the HTTP API, as an operator at a terminal. */
describe('npm run subscriptions', () => {
  const { sut } = useTestApp({ env: PUSH_ENV });
  let cwd: string;
  let receiver: PushReceiver;
  let secrets: string[] = [];

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'suki-subscriptions-'));
    receiver = await startPushReceiver(() => secrets);
  });

  afterAll(async () => {
    await receiver.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [join(REPO_ROOT, 'scripts/subscriptions.js'), ...args, '--url', sut().baseUrl],
        {
          env: { PATH: process.env.PATH ?? '', SUBSCRIPTIONS_TOKEN: PUSH_ADMIN },
          cwd,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it('adds, lists, pauses, resumes, tests, rotates and replays a subscription', async () => {
    const added = await cli('add', receiver.url, '--types', 'session.completed,session.failed', '--max-in-flight', '4');
    expect(added.code).toBe(0);
    const [summary, secret] = added.stdout.trim().split('\n');
    const id = /^subscribed (\S+) to /.exec(summary)![1];
    expect(secret).toMatch(/^whsec_/);
    secrets = [secret];

    const listed = await cli('list');
    expect(listed.stdout).toContain(`${id}  active`);
    expect(listed.stdout).toContain('[session.completed,session.failed]');
    expect(listed.stdout).not.toContain(secret);

    expect((await cli('pause', id)).stdout).toContain(`${id}  paused`);
    expect((await cli('resume', id)).stdout).toContain(`${id}  active`);

    const test = await cli('test', id);
    const pingId = /^ping (\S+) sent/.exec(test.stdout)![1];
    await waitFor(() => receiver.delivered().some((d) => d.id === pingId), 'the ping');
    await waitFor(async () => (await cli('attempts', id)).stdout.includes(pingId), 'the ping listed');

    const rotated = await cli('rotate', id);
    expect(rotated.stdout.trim()).toMatch(/^whsec_/);
    expect(rotated.stdout.trim()).not.toBe(secret);
    expect((await cli('replay', id, '--after', 'start')).stdout).toMatch(new RegExp(`^replaying ${id} from cursor \\S+`));
  });

  it('says why when the service refuses, and exits non-zero', async () => {
    const refused = await cli('add', 'http://127.0.0.2:9/hooks');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('400');
    expect(refused.stderr).toContain('PUSH_ALLOWED_HOSTS');
    expect((await cli('pause', 'no-such-subscription')).stderr).toContain('404');
    expect((await cli('frobnicate')).code).toBe(2);
  });
});
