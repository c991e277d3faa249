import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_INTERNAL_TOKEN, TEST_WEBHOOK_SECRET } from './test-app';

export const REPO_ROOT = resolve(__dirname, '../..');
const MAIN = join(REPO_ROOT, 'dist/main.js');

export interface ServiceProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> of the running service. */
  baseUrl: string;
  dataDir: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** stdout's JSON log lines so far (anything else is skipped). */
  logLines(): LogLine[];
  /** Signals the process, or its whole process group when it was launched (npm and the node under it). */
  kill(signal: NodeJS.Signals): void;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** One pino line: the fields the tests read, typed as the service writes them; the rest unknown. */
export interface LogLine {
  level?: string;
  msg?: string;
  req?: { path?: string; [field: string]: unknown };
  res?: { statusCode?: number; [field: string]: unknown };
  [field: string]: unknown;
}

/** How to start it when not `node dist/main.js`: e.g. through npm, as a person at a terminal does. */
export interface Launch {
  command: string;
  args: string[];
  cwd: string;
}

/** `npm run <script>` with the npm that runs the tests (npm test sets npm_execpath). */
export function npmRun(script: string, cwd = REPO_ROOT): Launch {
  const npm = process.env.npm_execpath;
  return npm ? { command: process.execPath, args: [npm, 'run', script], cwd } : { command: 'npm', args: ['run', script], cwd };
}

/**
 * The environment of the compiled service as production runs it, on `databaseUrl`: every
 * required variable set, the test credentials, and a Suki API nobody answers on (port 9), so
 * retrieval only fails. `extra` adds or overrides.
 */
export function productionEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    SUKI_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
    INTERNAL_API_TOKENS: TEST_INTERNAL_TOKEN,
    SUKI_API_TOKEN: 'test-suki-token',
    SUKI_API_BASE_URL: 'http://127.0.0.1:9',
    ...extra,
  };
}

/**
 * Runs the compiled service (dist/main.js, which `npm test` builds) as production runs it, with
 * only the environment given (plus PATH, HOME and an empty DATA_DIR), on a free port. Resolves
 * once it logs that it is ready. With `launch`, it is started that way instead, as the leader of
 * a process group of its own, as a shell runs a foreground job: `process.kill(-child.pid, 'SIGINT')`
 * is then what Ctrl-C does.
 */
export async function startServiceProcess(env: Record<string, string>, timeoutMs = 60_000, launch?: Launch): Promise<ServiceProcess> {
  if (!launch && !existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npm test\`, or \`npx tsc -p tsconfig.build.json --outDir dist\` first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'suki-service-'));
  const child = spawn(launch?.command ?? process.execPath, launch?.args ?? [MAIN], {
    cwd: launch?.cwd ?? dataDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, TZ: 'UTC', DATA_DIR: dataDir, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: launch !== undefined,
  });
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (launch) process.kill(-child.pid!, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  let stdout = '';
  let all = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), (all += chunk)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (all += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((settle) =>
    child.once('exit', (code, signal) => settle({ code, signal })),
  );
  const logLines = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => fail(new Error(`service did not listen within ${timeoutMs} ms:\n${all}`)), timeoutMs);
    const poll = setInterval(() => {
      const ready = logLines()
        .map((line) => (typeof line.msg === 'string' ? /^ready: http:\/\/localhost:(\d+) /.exec(line.msg) : null))
        .find(Boolean);
      if (ready) finish(() => resolvePort(Number(ready[1])));
    }, 50);
    void exited.then(({ code, signal }) => fail(new Error(`service exited (${code ?? signal}) before listening:\n${all}`)));
    function fail(error: Error) {
      finish(() => reject(error));
      kill('SIGKILL');
    }
    function finish(settle: () => void) {
      clearTimeout(timer);
      clearInterval(poll);
      settle();
    }
  });
  return { child, baseUrl: `http://127.0.0.1:${port}`, dataDir, output: () => all, logLines, kill, exited };
}

/** Sends a signal and waits for the exit, failing the test if the process outlives `timeoutMs`. */
export async function stopServiceProcess(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000) {
  if (service.child.exitCode === null && service.child.signalCode === null) service.kill(signal);
  return waitForExit(service, timeoutMs);
}

/** Waits for the process to exit by itself, killing it (and failing) past `timeoutMs`. */
export async function waitForExit(service: ServiceProcess, timeoutMs = 30_000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      service.kill('SIGKILL');
      reject(new Error(`service still running after ${timeoutMs} ms:\n${service.output().slice(-4000)}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([service.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
