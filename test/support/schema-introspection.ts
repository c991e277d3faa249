/**
 * The shape of a PostgreSQL schema as the catalog reports it, in the terms that
 * expected-schema.ts derives from schema.prisma, so the two can be compared field by field.
 */

export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export type ReferentialAction = 'NoAction' | 'Restrict' | 'Cascade' | 'SetNull' | 'SetDefault';

export interface Column {
  name: string;
  /** format_type() of the column, except enums: `enum:<type name>` (with `[]` for arrays). */
  type: string;
  /** format_type() of the column, to cast values to it. */
  sqlType: string;
  notNull: boolean;
  /** pg_get_expr() of the default, as PostgreSQL deparses it. */
  default: string | null;
  /** The default `nextval(...)` of the sequence this column owns, and that sequence's type. */
  ownedSequence: { default: string; type: string } | null;
  /** Identity and generated columns are not what Prisma creates; flagged when seen. */
  identity: boolean;
  generated: boolean;
}

export interface Index {
  table: string;
  name: string;
  primary: boolean;
  unique: boolean;
  method: string;
  columns: string[];
  descending: boolean[];
  /** Partial, expression or INCLUDE indexes: nothing in schema.prisma produces them. */
  partial: boolean;
  hasExpressions: boolean;
  includedColumns: number;
}

export interface ForeignKey {
  table: string;
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface Enum {
  name: string;
  values: string[];
}

export interface DatabaseSchema {
  tables: Map<string, Column[]>;
  indexes: Index[];
  foreignKeys: ForeignKey[];
  enums: Enum[];
}

const ACTIONS: Record<string, ReferentialAction> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

/** The rows the catalog queries below return, column for column. */
interface ColumnRow {
  table: string;
  name: string;
  type: string;
  sql_type: string;
  not_null: boolean;
  default: string | null;
  identity: boolean;
  generated: boolean;
  sequence_default: string;
  sequence_type: string | null;
}
interface IndexRow {
  table: string;
  name: string;
  primary: boolean;
  unique: boolean;
  method: string;
  columns: string[];
  descending: boolean[];
  partial: boolean;
  has_expressions: boolean;
  included_columns: number;
}
interface ForeignKeyRow {
  table: string;
  name: string;
  referenced_table: string;
  columns: string[];
  referenced_columns: string[];
  /** pg_constraint's one-letter action codes (see ACTIONS). */
  on_delete: string;
  on_update: string;
}

const TABLES = `
SELECT c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`;

const COLUMNS = `
SELECT c.relname AS table, a.attname AS name,
       CASE WHEN t.typtype = 'e' THEN 'enum:' || t.typname
            WHEN et.typtype = 'e' THEN 'enum:' || et.typname || '[]'
            ELSE format_type(a.atttypid, a.atttypmod) END AS type,
       format_type(a.atttypid, a.atttypmod) AS sql_type,
       a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default,
       a.attidentity <> '' AS identity,
       a.attgenerated <> '' AS generated,
       format('nextval(%L::regclass)', seq.oid::regclass) AS sequence_default,
       format_type(s.seqtypid, NULL) AS sequence_type
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
LEFT JOIN pg_class seq ON seq.oid = pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)::regclass
LEFT JOIN pg_sequence s ON s.seqrelid = seq.oid
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum`;

const INDEXES = `
SELECT t.relname AS table, c.relname AS name, i.indisprimary AS primary, i.indisunique AS unique,
       am.amname AS method,
       ARRAY(SELECT a.attname::text
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns,
       ARRAY(SELECT pg_index_column_has_property(i.indexrelid, k, 'desc')
             FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS descending,
       i.indpred IS NOT NULL AS partial,
       i.indexprs IS NOT NULL AS has_expressions,
       i.indnatts - i.indnkeyatts AS included_columns
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = c.relam
WHERE n.nspname = current_schema()
ORDER BY t.relname, c.relname`;

const FOREIGN_KEYS = `
SELECT c.relname AS table, con.conname AS name, r.relname AS referenced_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced_columns,
       con.confdeltype AS on_delete, con.confupdtype AS on_update
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_class r ON r.oid = con.confrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype = 'f' AND n.nspname = current_schema()
ORDER BY c.relname, con.conname`;

const ENUMS = `
SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
FROM pg_type t
JOIN pg_enum e ON e.enumtypid = t.oid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = current_schema()
GROUP BY t.typname
ORDER BY t.typname`;

/** Reads tables, columns, indexes, foreign keys and enums of the current schema from pg_catalog. */
export async function introspectDatabase(query: Query): Promise<DatabaseSchema> {
  const tables = new Map<string, Column[]>();
  for (const table of await query<{ name: string }>(TABLES)) tables.set(table.name, []);
  for (const row of await query<ColumnRow>(COLUMNS)) {
    tables.get(row.table)!.push({
      name: row.name,
      type: row.type,
      sqlType: row.sql_type,
      notNull: row.not_null,
      default: row.default,
      ownedSequence: row.sequence_type ? { default: row.sequence_default, type: row.sequence_type } : null,
      identity: row.identity,
      generated: row.generated,
    });
  }
  const indexes = (await query<IndexRow>(INDEXES)).map((row): Index => ({
    table: row.table,
    name: row.name,
    primary: row.primary,
    unique: row.unique,
    method: row.method,
    columns: row.columns,
    descending: row.descending,
    partial: row.partial,
    hasExpressions: row.has_expressions,
    includedColumns: row.included_columns,
  }));
  const foreignKeys = (await query<ForeignKeyRow>(FOREIGN_KEYS)).map((row): ForeignKey => ({
    table: row.table,
    name: row.name,
    columns: row.columns,
    referencedTable: row.referenced_table,
    referencedColumns: row.referenced_columns,
    onDelete: ACTIONS[row.on_delete],
    onUpdate: ACTIONS[row.on_update],
  }));
  const enums = await query<Enum>(ENUMS);
  return { tables, indexes, foreignKeys, enums };
}
