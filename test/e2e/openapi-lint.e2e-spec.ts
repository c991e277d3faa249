import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/service-process';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The OpenAPI document internal teams generate clients from passes `redocly lint` (the rules of
 * redocly.yaml) with no errors and no warnings. Built by the running application, as /docs-json
 * serves it; no database is needed to describe the API.
 */
describe('the OpenAPI document at /docs-json', () => {
  let sut: TestApp;
  let dir: string;

  beforeAll(async () => {
    sut = await startTestApp('postgresql://postgres:unused@127.0.0.1:1/absent');
    dir = mkdtempSync(join(tmpdir(), 'suki-openapi-'));
  });

  afterAll(async () => {
    await sut?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let document: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  let file: string;

  beforeAll(async () => {
    const answer = await fetch(`${sut.baseUrl}/docs-json`);
    expect(answer.status).toBe(200);
    file = join(dir, 'openapi.json');
    const text = await answer.text();
    writeFileSync(file, text);
    document = JSON.parse(text) as typeof document;
  });

  it('passes redocly lint with no errors or warnings', () => {
    const lint = spawnSync(
      join(REPO_ROOT, 'node_modules/.bin/redocly'),
      ['lint', file, '--config', join(REPO_ROOT, 'redocly.yaml'), '--format', 'stylish'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    const output = `${lint.stdout}${lint.stderr}`;
    expect(output).toMatch(/Your API description is valid/); // the report, when it is not
    expect(lint.status).toBe(0);
    expect(output).not.toMatch(/warning/i);
  });

  // redocly.yaml turns operation-4xx-response off for the operational endpoints' sake only.
  it('declares a 4xx answer for every operation except health and metrics', () => {
    const without = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => !Object.keys(operation.responses).some((code) => /^4/.test(code)))
        .map(([method]) => `${method} ${path}`),
    );
    expect(without.sort()).toEqual(['get /health/live', 'get /health/ready', 'get /metrics']);
    expect(Object.keys(document.paths).length).toBeGreaterThan(5);
  });
});
