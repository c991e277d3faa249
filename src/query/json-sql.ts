/**
 * The query API's response bodies are rendered by PostgreSQL (json_build_object / json_agg):
 * one round trip yields the finished JSON, so Node neither parses rows into objects and dates
 * nor serialises them again, and an artifact's data (a whole note) passes through as it is
 * stored. The field lists below are the single definition of each view's JSON.
 */

/** JSON text that renders a T: what a controller may send as it is. */
export type Rendered<T> = string & { readonly __renders?: T };

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A view: JSON key → SQL expression. */
export type JsonFields = ReadonlyArray<readonly [key: string, sql: string]>;

export function jsonObject(fields: JsonFields): string {
  return `json_build_object(${fields.map(([key, sql]) => `'${key}', ${sql}`).join(', ')})`;
}

/** A JSON array of one object per row, [] when there are none. */
export function jsonArray(fields: JsonFields, from: string, orderBy: string): string {
  return `COALESCE((SELECT json_agg(${jsonObject(fields)} ORDER BY ${orderBy}) FROM ${from}), '[]'::json)`;
}

/** A timestamptz as ISO-8601 UTC with milliseconds (null stays null), whatever the session zone. */
export function utc(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
