import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readMigrations } from './migrator';

/** The intake function's one source file; migrations that change the function copy it. */
const SOURCE = resolve(__dirname, '../../prisma/sql/ingest_notifications.sql');
const FUNCTIONS = ['ingest_notification', 'ingest_notifications'];

/** Each `CREATE [OR REPLACE] FUNCTION name(` … `$$;` block of a SQL text, by function name. */
function definitions(sql: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of sql.matchAll(/CREATE (?:OR REPLACE )?FUNCTION (\w+)\(.*?\$\$;/gs)) found.set(match[1], match[0]);
  return found;
}

/** Comparison ignores layout only: runs of whitespace become one space. */
const normalised = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('the intake function', () => {
  it('is defined by the newest migration exactly as prisma/sql/ingest_notifications.sql says', async () => {
    const source = definitions(readFileSync(SOURCE, 'utf8'));
    expect([...source.keys()].sort()).toEqual(FUNCTIONS);
    const migrations = await readMigrations();
    for (const name of FUNCTIONS) {
      const newest = migrations.filter((migration) => definitions(migration.sql).has(name)).at(-1);
      // Not vacuous: the function is found, and in a migration no older than the one that wrote this file.
      expect((newest?.name ?? '') >= '20261204000000_latest_wins_once').toBe(true);
      expect({ name, migration: newest!.name, sql: normalised(definitions(newest!.sql).get(name)!) }).toEqual({
        name,
        migration: newest!.name,
        sql: normalised(source.get(name)!),
      });
    }
  });

  it('leaves "which event is newer" to event_is_newer', () => {
    const sql = readFileSync(SOURCE, 'utf8');
    expect(sql.match(/event_is_newer\(/g)).toHaveLength(2);
    expect(sql).not.toMatch(/last_arrival, 0\)\) </);
  });
});
