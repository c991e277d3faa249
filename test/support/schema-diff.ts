import { ExpectedColumn, ExpectedSchema } from './expected-schema';
import { Column, DatabaseSchema, Query } from './schema-introspection';

/** Prisma's own bookkeeping table: in every migrated database, in no data model. */
const NOT_MODELLED = new Set(['_prisma_migrations']);

/**
 * Every way the database differs from what schema.prisma says, one readable line each;
 * empty when they agree. Works in both directions: a missing object and an extra one both count.
 * Defaults are compared by PostgreSQL itself (`query`), so `1.50` equals `1.5` and
 * `'pending'::"SessionStatus"` equals `pending`.
 */
export async function diffSchema(expected: ExpectedSchema, actual: DatabaseSchema, query: Query): Promise<string[]> {
  const problems: string[] = [];
  const tables = [...actual.tables.keys()].filter((table) => !NOT_MODELLED.has(table));
  for (const table of tables) if (!expected.tables.has(table)) problems.push(`table ${table}: in the database, not in schema.prisma`);
  for (const [table, columns] of expected.tables) {
    const found = actual.tables.get(table);
    if (!found) problems.push(`table ${table}: in schema.prisma, not in the database`);
    else problems.push(...(await diffColumns(table, columns, found, query)));
  }

  const indexes = actual.indexes.filter((index) => !NOT_MODELLED.has(index.table));
  problems.push(
    ...diffKeyed('index', expected.indexes, indexes, (i) => `${i.table}.${i.name}`, [
      'primary',
      'unique',
      'method',
      'columns',
      'descending',
      'partial',
      'hasExpressions',
      'includedColumns',
    ]),
  );
  problems.push(
    ...diffKeyed('foreign key', expected.foreignKeys, actual.foreignKeys, (fk) => `${fk.table}(${fk.columns.join(', ')})`, [
      'referencedTable',
      'referencedColumns',
      'onDelete',
      'onUpdate',
    ]),
  );
  problems.push(...diffKeyed('enum', expected.enums, actual.enums, (e) => e.name, ['values']));
  return problems;
}

async function diffColumns(table: string, expected: ExpectedColumn[], actual: Column[], query: Query): Promise<string[]> {
  const problems: string[] = [];
  const byName = new Map(actual.map((column) => [column.name, column]));
  for (const column of actual) {
    if (!expected.some((c) => c.name === column.name))
      problems.push(`column ${table}.${column.name}: in the database, not in schema.prisma`);
  }
  for (const want of expected) {
    const where = `column ${table}.${want.name}`;
    const have = byName.get(want.name);
    if (!have) {
      problems.push(`${where}: in schema.prisma, not in the database`);
      continue;
    }
    if (have.type !== want.type) problems.push(`${where}: type is ${have.type}, schema.prisma says ${want.type}`);
    if (have.notNull !== want.notNull)
      problems.push(
        `${where}: ${have.notNull ? 'NOT NULL' : 'nullable'} in the database, ${want.notNull ? 'NOT NULL' : 'nullable'} in schema.prisma`,
      );
    if (have.identity || have.generated) problems.push(`${where}: an identity or generated column, which Prisma never creates`);
    const defaultProblem = await diffDefault(want, have, query);
    if (defaultProblem) problems.push(`${where}: default ${defaultProblem}`);
  }
  return problems;
}

async function diffDefault(want: ExpectedColumn, have: Column, query: Query): Promise<string | undefined> {
  const actual = have.default;
  const is = actual === null ? 'is none' : `is ${actual}`;
  switch (want.default.kind) {
    case 'none':
      return actual === null ? undefined : `${is}, schema.prisma has none`;
    case 'any':
      return actual !== null ? undefined : `is none, schema.prisma has dbgenerated()`;
    case 'now':
      return actual === 'CURRENT_TIMESTAMP' || actual === 'now()' ? undefined : `${is}, schema.prisma says now()`;
    case 'sequence': {
      const owned = have.ownedSequence;
      if (owned && actual === owned.default && owned.type === have.type) return undefined;
      return `${is} (owned sequence: ${owned ? `${owned.type}, ${owned.default}` : 'none'}), schema.prisma says autoincrement() of ${have.type}`;
    }
    case 'literal': {
      if (actual === null) return `is none, schema.prisma says ${want.default.value}`;
      // to_jsonb gives every type one comparable form; jsonb equality compares numbers by value.
      const sql = `SELECT to_jsonb(${actual}) = to_jsonb(CAST($1::text AS ${have.sqlType})) AS same`;
      const same = await query<{ same: boolean }>(sql, [want.default.value]).then(
        ([row]) => row.same,
        () => false,
      );
      return same ? undefined : `${is}, schema.prisma says ${want.default.value}`;
    }
    case 'expression': {
      // Let PostgreSQL deparse the expected expression the same way it deparsed the actual one.
      const deparsed = await deparseDefault(query, have.sqlType, want.default.sql);
      return deparsed === actual ? undefined : `${is}, schema.prisma says dbgenerated(${want.default.sql}) = ${deparsed}`;
    }
  }
}

async function deparseDefault(query: Query, sqlType: string, expression: string): Promise<string> {
  const table = `schema_probe_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await query(`CREATE TEMP TABLE ${table} (c ${sqlType} DEFAULT ${expression})`);
  try {
    const [row] = await query<{ expr: string }>(
      `SELECT pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attrdef d WHERE d.adrelid = $1::regclass`,
      [`pg_temp.${table}`],
    );
    return row.expr;
  } finally {
    await query(`DROP TABLE pg_temp.${table}`);
  }
}

function diffKeyed<T extends object>(
  what: string,
  expected: T[],
  actual: T[],
  key: (item: T) => string,
  attributes: Array<keyof T>,
): string[] {
  const problems: string[] = [];
  const found = new Map(actual.map((item) => [key(item), item]));
  const wanted = new Set(expected.map(key));
  for (const item of actual) if (!wanted.has(key(item))) problems.push(`${what} ${key(item)}: in the database, not in schema.prisma`);
  for (const want of expected) {
    const have = found.get(key(want));
    if (!have) {
      problems.push(`${what} ${key(want)}: in schema.prisma, not in the database`);
      continue;
    }
    for (const attribute of attributes) {
      const [a, b] = [JSON.stringify(have[attribute]), JSON.stringify(want[attribute])];
      if (a !== b) problems.push(`${what} ${key(want)}: ${String(attribute)} is ${a} in the database, ${b} in schema.prisma`);
    }
  }
  return problems;
}
