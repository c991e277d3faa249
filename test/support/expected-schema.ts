import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { Enum, ForeignKey, Index, ReferentialAction } from './schema-introspection';

/**
 * What `prisma migrate` would create in PostgreSQL for a schema.prisma, derived from Prisma's
 * own DMMF (the wasm module the installed prisma CLI bundles, byte for byte), so the schema
 * test follows every model, field and index anyone adds, with no hard-coded list.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  /** A literal, a function call such as now(), or (unsupported here) a list. */
  default?: string | number | boolean | { name: string; args: unknown[] } | unknown[] | null;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: ReferentialAction;
  relationOnUpdate?: ReferentialAction;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  algorithm?: string;
  fields: Array<{ name: string; sortOrder?: 'asc' | 'desc'; length?: number; operatorClass?: string }>;
}

interface DmmfEnum {
  name: string;
  dbName: string | null;
  values: Array<{ name: string; dbName: string | null }>;
}

export interface Datamodel {
  models: DmmfModel[];
  enums: DmmfEnum[];
  indexes: DmmfIndex[];
}

export type ExpectedDefault =
  | { kind: 'none' }
  | { kind: 'any' }
  | { kind: 'now' }
  | { kind: 'sequence' }
  | { kind: 'literal'; value: string }
  | { kind: 'expression'; sql: string };

export interface ExpectedColumn {
  name: string;
  type: string;
  notNull: boolean;
  default: ExpectedDefault;
}

export interface ExpectedSchema {
  tables: Map<string, ExpectedColumn[]>;
  indexes: Index[];
  /** Compared without names: the DMMF does not carry a relation's `map:`. */
  foreignKeys: Array<Omit<ForeignKey, 'name'>>;
  enums: Enum[];
}

export function readDatamodel(schemaText: string): Datamodel {
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schemaText]] }))) as { datamodel: Datamodel };
  return dmmf.datamodel;
}

// Prisma's PostgreSQL column types: https://www.prisma.io/docs/orm/reference/prisma-schema-reference#model-field-scalar-types
const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

const sized =
  (base: string, suffix = '') =>
  (args: string[]) =>
    `${base}${args.length ? `(${args.join(',')})` : ''}${suffix}`;
const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Text: () => 'text',
  Char: (args) => `character(${args[0] ?? 1})`,
  VarChar: sized('character varying'),
  Bit: (args) => `bit(${args[0] ?? 1})`,
  VarBit: sized('bit varying'),
  Uuid: () => 'uuid',
  Xml: () => 'xml',
  Inet: () => 'inet',
  Citext: () => 'citext',
  Boolean: () => 'boolean',
  Integer: () => 'integer',
  SmallInt: () => 'smallint',
  BigInt: () => 'bigint',
  Oid: () => 'oid',
  DoublePrecision: () => 'double precision',
  Real: () => 'real',
  Decimal: sized('numeric'),
  Money: () => 'money',
  Timestamp: sized('timestamp', ' without time zone'),
  Timestamptz: sized('timestamp', ' with time zone'),
  Date: () => 'date',
  Time: sized('time', ' without time zone'),
  Timetz: sized('time', ' with time zone'),
  Json: () => 'json',
  JsonB: () => 'jsonb',
  ByteA: () => 'bytea',
};

// Defaults that Prisma Client fills in; the database has none.
const CLIENT_DEFAULTS = ['uuid', 'cuid', 'nanoid', 'ulid'];

/** PostgreSQL's identifier limit and Prisma's truncation of default constraint names. */
function defaultName(table: string, columns: string[], suffix: string): string {
  const stem = columns.length ? `${table}_${columns.join('_')}` : table;
  return stem.slice(0, 63 - suffix.length) + suffix;
}

export function expectedSchema(datamodel: Datamodel): ExpectedSchema {
  const models = new Map(datamodel.models.map((model) => [model.name, model]));
  const enums = new Map(datamodel.enums.map((e) => [e.name, e]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName)!;
    return field.dbName ?? field.name;
  };

  const tables = new Map<string, ExpectedColumn[]>();
  const foreignKeys: ExpectedSchema['foreignKeys'] = [];
  for (const model of datamodel.models) {
    const columns = model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum').map((f) => column(f, enums));
    tables.set(tableOf(model), columns);
    for (const field of model.fields.filter((f) => f.kind === 'object')) {
      const from = field.relationFromFields ?? [];
      if (from.length === 0) {
        const target = models.get(field.type)!;
        const back = target.fields.find((f) => f.relationName === field.relationName && (f.relationFromFields ?? []).length > 0);
        if (!back && field.isList)
          throw new Error(`${model.name}.${field.name}: implicit many-to-many relations are not covered by the schema test`);
        continue;
      }
      const target = models.get(field.type)!;
      const required = from.every((name) => model.fields.find((f) => f.name === name)!.isRequired);
      foreignKeys.push({
        table: tableOf(model),
        columns: from.map((name) => columnOf(model, name)),
        referencedTable: tableOf(target),
        referencedColumns: (field.relationToFields ?? []).map((name) => columnOf(target, name)),
        // Prisma's defaults when the relation names no action.
        onDelete: field.relationOnDelete ?? (required ? 'Restrict' : 'SetNull'),
        onUpdate: field.relationOnUpdate ?? 'Cascade',
      });
    }
  }

  const indexes = datamodel.indexes.map((index): Index => {
    const model = models.get(index.model)!;
    const table = tableOf(model);
    const columns = index.fields.map((f) => columnOf(model, f.name));
    for (const f of index.fields) {
      if (f.length !== undefined || f.operatorClass !== undefined)
        throw new Error(`${index.model}: index field options are not covered by the schema test`);
    }
    if (index.type === 'fulltext') throw new Error(`${index.model}: fulltext indexes do not exist in PostgreSQL`);
    const suffix = index.type === 'id' ? '_pkey' : index.type === 'unique' ? '_key' : '_idx';
    return {
      table,
      name: index.dbName ?? defaultName(table, index.type === 'id' ? [] : columns, suffix),
      primary: index.type === 'id',
      unique: index.type !== 'normal',
      method: (index.algorithm ?? 'BTree').toLowerCase(),
      columns,
      descending: index.fields.map((f) => f.sortOrder === 'desc'),
      partial: false,
      hasExpressions: false,
      includedColumns: 0,
    };
  });

  return {
    tables,
    indexes,
    foreignKeys,
    enums: datamodel.enums.map((e) => ({ name: e.dbName ?? e.name, values: e.values.map((v) => v.dbName ?? v.name) })),
  };
}

function column(field: DmmfField, enums: Map<string, DmmfEnum>): ExpectedColumn {
  const where = `field ${field.name}`;
  const enumType = enums.get(field.type);
  let type: string;
  if (enumType) type = `enum:${enumType.dbName ?? enumType.name}`;
  else if (field.nativeType) {
    const [name, args] = field.nativeType;
    if (!NATIVE_TYPES[name]) throw new Error(`${where}: @db.${name} is not covered by the schema test`);
    type = NATIVE_TYPES[name](args);
  } else if (SCALAR_TYPES[field.type]) type = SCALAR_TYPES[field.type];
  else throw new Error(`${where}: type ${field.type} is not covered by the schema test`);
  return {
    name: field.dbName ?? field.name,
    type: field.isList ? `${type}[]` : type,
    // Prisma creates scalar lists without NOT NULL, whatever the field says.
    notNull: field.isRequired && !field.isList,
    default: expectedDefault(field, enumType),
  };
}

function expectedDefault(field: DmmfField, enumType: DmmfEnum | undefined): ExpectedDefault {
  const value = field.default;
  if (value === undefined || value === null) return { kind: 'none' };
  if (Array.isArray(value)) throw new Error(`field ${field.name}: list defaults are not covered by the schema test`);
  if (typeof value === 'object') {
    const { name, args } = value;
    if (name === 'autoincrement') return { kind: 'sequence' };
    if (name === 'now') return { kind: 'now' };
    if (name === 'dbgenerated') return args.length ? { kind: 'expression', sql: String(args[0]) } : { kind: 'any' };
    if (CLIENT_DEFAULTS.includes(name)) return { kind: 'none' };
    throw new Error(`field ${field.name}: @default(${name}()) is not covered by the schema test`);
  }
  if (enumType) {
    const member = enumType.values.find((v) => v.name === value)!;
    return { kind: 'literal', value: member.dbName ?? member.name };
  }
  if (field.type === 'Bytes') return { kind: 'literal', value: `\\x${Buffer.from(String(value), 'base64').toString('hex')}` };
  return { kind: 'literal', value: String(value) };
}
