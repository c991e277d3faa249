import { spawnSync } from 'node:child_process';

export interface ExpositionCheck {
  /** What promtool said, or why it did not run. */
  problems: string[];
  /** False only outside CI on a machine without promtool (Debian: `apt-get install prometheus`). */
  promtoolRan: boolean;
}

/**
 * Checks a Prometheus text exposition the way a scraper's tooling would: `promtool check metrics`
 * (lint included) when promtool is installed, which CI guarantees (`.ci/run` installs it, and with
 * CI=true its absence is a problem in itself). Two rules promtool enforces are also checked here,
 * so that a machine without promtool still catches the regressions this project has had.
 */
export function checkExposition(text: string): ExpositionCheck {
  const problems = ownChecks(text);
  const promtool = spawnSync(process.env.PROMTOOL ?? 'promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (promtool.error) {
    if (process.env.CI === 'true') problems.push(`promtool could not run (${promtool.error.message}); CI must install it`);
    return { problems, promtoolRan: false };
  }
  if (promtool.status !== 0) problems.push(`promtool exited ${promtool.status}: ${(promtool.stdout + promtool.stderr).trim()}`);
  return { problems, promtoolRan: true };
}

function ownChecks(text: string): string[] {
  const problems: string[] = [];
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: a ${type} named like a counter`);
  }
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const value = line.slice(line.lastIndexOf(' ') + 1);
    if (!/^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|NaN|[-+]Inf)$/.test(value)) problems.push(`not a number: ${line}`);
  }
  return problems;
}
