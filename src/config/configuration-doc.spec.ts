import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './load-config';

/**
 * docs/configuration.md is the operator's list of every variable the service reads. It is kept
 * true here, against the loader itself: a variable added to load-config.ts without its row, or a
 * row left behind after a variable is gone, fails the unit tier.
 */
const ROOT = join(__dirname, '../..');
const DOC = 'docs/configuration.md';

type Env = Record<string, string | undefined>;

const PEM = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----';

// Environments that between them take every branch of the loader that reads more variables:
// development defaults, partner mode (its SUKI_PARTNER_* are read only there), production.
const ENVIRONMENTS: Env[] = [
  {},
  { SUKI_AUTH_MODE: 'partner', SUKI_PARTNER_ID: 'partner', SUKI_PARTNER_PRIVATE_KEY: PEM },
  { NODE_ENV: 'production' },
  { NODE_ENV: 'production', SUKI_AUTH_MODE: 'partner', SUKI_PARTNER_ID: 'partner', SUKI_PARTNER_PRIVATE_KEY: PEM },
];

/** The names loadConfig looks up, seen through an environment that records every read. */
function namesReadAtRunTime(): Set<string> {
  const names = new Set<string>();
  for (const values of ENVIRONMENTS) {
    const env = new Proxy(values, {
      get(target, name) {
        if (typeof name === 'string') names.add(name);
        return typeof name === 'string' ? target[name] : undefined;
      },
    });
    try {
      loadConfig(env);
    } catch {
      // Production without its required variables is refused: the reads before that still count.
    }
  }
  return names;
}

/** The names load-config.ts passes to its reader or takes from `env` directly, branch or not. */
function namesInSource(): Set<string> {
  const source = readFileSync(join(ROOT, 'src/config/load-config.ts'), 'utf8');
  const patterns = [/\bread\.\w+\(\s*'([A-Z][A-Z0-9_]*)'/g, /\benv\.([A-Z][A-Z0-9_]*)\b/g, /\benv\[\s*'([A-Z][A-Z0-9_]*)'\s*\]/g];
  return new Set(patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1])));
}

/** The first cell of every row of the doc's `## Variables` table: one backticked name per row. */
function documentedNames(): string[] {
  const text = readFileSync(join(ROOT, DOC), 'utf8');
  const section = /^## Variables\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text)?.[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe(`${DOC} lists exactly the variables the config loader reads`, () => {
  const read = new Set([...namesReadAtRunTime(), ...namesInSource()]);
  const documented = documentedNames();

  it('finds the reads and the rows it compares (so an empty comparison cannot pass)', () => {
    expect([...read]).toEqual(expect.arrayContaining(['DATABASE_URL', 'NODE_ENV', 'SUKI_PARTNER_USER', 'V8_HEAP_GROWING_PERCENT']));
    expect(documented).toEqual(expect.arrayContaining(['DATABASE_URL', 'SUKI_PARTNER_USER']));
  });

  it('has a row for every variable the loader reads', () => {
    expect([...read].filter((name) => !documented.includes(name)).sort()).toEqual([]);
  });

  it('has no row for a variable the loader does not read', () => {
    expect(documented.filter((name) => !read.has(name)).sort()).toEqual([]);
  });

  it('lists each variable once', () => {
    expect(documented.filter((name, index) => documented.indexOf(name) !== index)).toEqual([]);
  });
});
