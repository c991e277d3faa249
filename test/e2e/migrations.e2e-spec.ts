import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { applyMigrations } from '../../src/database/migrator';
import { createEmptyDatabase } from '../support/empty-database';
import { expectedSchema, readDatamodel } from '../support/expected-schema';
import { diffSchema } from '../support/schema-diff';
import { DatabaseSchema, introspectDatabase } from '../support/schema-introspection';
import { TestDatabase } from '../support/test-database';

/**
 * `prisma migrate` cannot run here, so nothing else checks that the hand-applied migrations
 * build the database schema.prisma describes. This test does, from Prisma's own reading of
 * the schema (DMMF) against the catalog of a database migrated by applyMigrations().
 */
const SCHEMA_TEXT = readFileSync(resolve(__dirname, '../../prisma/schema.prisma'), 'utf8');

describe('migrations build the database that schema.prisma describes', () => {
  let db: TestDatabase;
  let actual: DatabaseSchema;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await applyMigrations(db.url);
    actual = await introspectDatabase(db.query);
  });

  afterAll(() => db?.drop());

  it('reads schema.prisma with the very parser the installed prisma CLI bundles', () => {
    // @prisma/prisma-schema-wasm is pinned by hand; when prisma is upgraded, pin the release
    // whose wasm this is (see `npm view @prisma/prisma-schema-wasm versions`).
    const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const cli = join(dirname(require.resolve('prisma/package.json')), 'build/prisma_schema_build_bg.wasm');
    const ours = join(dirname(require.resolve('@prisma/prisma-schema-wasm')), 'prisma_schema_build_bg.wasm');
    expect(sha256(ours)).toBe(sha256(cli));
  });

  const differences = (schemaText: string, schema = actual) => diffSchema(expectedSchema(readDatamodel(schemaText)), schema, db.query);

  it('has every table, column, type, nullability, default, key, index, foreign key and enum of schema.prisma, and nothing else', async () => {
    const expected = expectedSchema(readDatamodel(SCHEMA_TEXT));
    // The comparison has something to compare: every kind of object the schema declares.
    expect(expected.tables.size).toBeGreaterThan(0);
    expect(expected.indexes.some((index) => !index.primary && !index.unique)).toBe(true);
    expect(expected.foreignKeys.length).toBeGreaterThan(0);
    expect(expected.enums.length).toBeGreaterThan(0);

    expect(await diffSchema(expected, actual, db.query)).toEqual([]);
  });

  // Each edit below is one someone could make to schema.prisma without writing its migration.
  // The edits are found by pattern, not by name, so they keep working as the schema grows.
  const drifts: Array<{ change: string; edit: (schema: string) => string; reported: RegExp }> = [
    {
      change: 'a model added',
      edit: (s) => `${s}\nmodel DriftProbe {\n  id Int @id\n}\n`,
      reported: /table DriftProbe: in schema.prisma, not in the database/,
    },
    {
      change: 'a field added',
      edit: (s) => s.replace(/^(model \w+ \{\n)/m, '$1  driftProbe String?\n'),
      reported: /column \w+\.driftProbe: in schema.prisma, not in the database/,
    },
    {
      change: 'a timestamp precision changed',
      edit: (s) => s.replace('@db.Timestamptz(3)', '@db.Timestamptz(6)'),
      reported: /type is timestamp\(3\) with time zone, schema.prisma says timestamp\(6\) with time zone/,
    },
    {
      change: 'a required column made optional',
      edit: (s) => s.replace(/^(\s+\w+\s+DateTime)(\s+@default\(now\(\)\))/m, '$1?$2'),
      reported: /NOT NULL in the database, nullable in schema.prisma/,
    },
    {
      change: 'a literal default changed',
      edit: (s) => s.replace(/@default\((\d+)\)/, (_m, n: string) => `@default(${Number(n) + 7})`),
      reported: /default is \d+, schema.prisma says \d+/,
    },
    {
      change: 'an index dropped',
      edit: (s) => s.replace(/^\s+@@index\(.*\n/m, ''),
      reported: /index \w+\.\w+_idx: in the database, not in schema.prisma/,
    },
    {
      change: 'a descending index made ascending',
      edit: (s) => s.replace(/^(\s+@@index\(.*?)\(sort: Desc\)/m, '$1'),
      reported: /descending is \[.*true.*\] in the database/,
    },
    {
      change: 'a unique constraint dropped',
      edit: (s) => s.replace(/^\s+@@unique\(.*\n/m, ''),
      reported: /index \w+\.\w+_key: in the database, not in schema.prisma/,
    },
    {
      change: "a relation's onDelete changed",
      edit: (s) => s.replace(/@relation\((fields: \[\w+\], references: \[\w+\])\)/, '@relation($1, onDelete: NoAction)'),
      reported: /foreign key .*: onDelete is "(Restrict|SetNull)" in the database, "NoAction" in schema.prisma/,
    },
    {
      change: 'an enum value added',
      edit: (s) => s.replace(/^(enum \w+ \{\n)/m, '$1  drift_probe\n'),
      reported: /enum \w+: values is .* in the database, \["drift_probe",/,
    },
  ];

  it.each(drifts)('reports $change without a migration', async ({ edit, reported }) => {
    const edited = edit(SCHEMA_TEXT);
    expect(edited).not.toEqual(SCHEMA_TEXT); // the edit found what it changes
    const problems = await differences(edited);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(reported)]));
  });

  it('reports a database changed behind the migrations', async () => {
    const [index] = actual.indexes.filter((i) => !i.primary && !i.unique && i.table !== '_prisma_migrations');
    const [table] = [...actual.tables.keys()].filter((t) => t !== '_prisma_migrations');
    await db.query(`DROP INDEX "${index.name}"`);
    await db.query(`ALTER TABLE "${table}" ADD COLUMN drift_probe text`);
    try {
      const problems = await differences(SCHEMA_TEXT, await introspectDatabase(db.query));
      expect(problems).toEqual(
        expect.arrayContaining([
          `index ${index.table}.${index.name}: in schema.prisma, not in the database`,
          `column ${table}.drift_probe: in the database, not in schema.prisma`,
        ]),
      );
    } finally {
      await db.query(`ALTER TABLE "${table}" DROP COLUMN drift_probe`);
    }
  });
});
