import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ApiPropertyOptions, OpenAPIObject, SchemaObject } from '@nestjs/swagger';

/**
 * Two things @nestjs/swagger's decorators cannot say, declared beside the classes they concern
 * and applied to the built document by applyOpenApiMarks (openapi.ts):
 * - a schema that accepts properties it does not list (no class-level `additionalProperties`;
 *   OpenAPI 3.0 allows them by default, but generators and validators read an explicit `true`);
 * - a property that is any JSON value (Nest always writes a `type`, `object` for `unknown`).
 */
const OPEN_SCHEMAS = new Set<string>();
const ANY_JSON: Array<{ schema: string; property: string }> = [];

/** ApiSchema for a class whose instances may carry properties it does not declare. */
export function OpenSchema(options: { name: string; description: string }): ClassDecorator {
  OPEN_SCHEMAS.add(options.name);
  return applyDecorators(ApiSchema(options));
}

/**
 * A property that may hold any JSON value, null included: documented with no `type` (in OpenAPI
 * 3.0, the schema that accepts everything). The schema is found by its class name: not for
 * classes renamed with ApiSchema.
 */
export function AnyJsonProperty(options: Pick<ApiPropertyOptions, 'description' | 'example'>): PropertyDecorator {
  return (target, property) => {
    ANY_JSON.push({ schema: target.constructor.name, property: String(property) });
    ApiProperty(options)(target, property);
  };
}

export function applyOpenApiMarks(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  for (const name of OPEN_SCHEMAS) if (schemas[name]) schemas[name].additionalProperties = true;
  for (const { schema, property } of ANY_JSON) {
    const described = schemas[schema]?.properties?.[property] as SchemaObject | undefined;
    if (described) delete described.type;
  }
}
