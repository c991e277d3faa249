import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks real answers against the OpenAPI document the running service serves (GET /docs-json),
 * so that the document cannot drift from the code: a DTO that says one thing while the
 * controller returns another fails the test that made the request.
 */

type Json = Record<string, unknown>;

interface Operation {
  pattern: RegExp;
  path: string;
  responses: Record<string, { content?: Record<string, { schema?: Json }> } | undefined>;
}

export interface ContractDocument {
  operations: Map<string, Operation[]>;
  components: Json;
  validators: Map<string, ValidateFunction>;
  ajv: Ajv;
}

const documents = new Map<string, Promise<ContractDocument>>();

/** The document of the service at baseUrl, fetched once per service. */
export function contractOf(baseUrl: string): Promise<ContractDocument> {
  let document = documents.get(baseUrl);
  if (!document) {
    document = load(baseUrl);
    documents.set(baseUrl, document);
  }
  return document;
}

/** Forgets the document of a service that stopped: another may come up on its port. */
export function forgetContract(baseUrl: string): void {
  documents.delete(baseUrl);
}

async function load(baseUrl: string): Promise<ContractDocument> {
  const response = await fetch(`${baseUrl}/docs-json`);
  if (response.status !== 200) throw new Error(`GET /docs-json answered ${response.status}`);
  const document = (await response.json()) as { paths: Record<string, Record<string, Operation['responses'] | Json>>; components?: Json };
  const operations = new Map<string, Operation[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    // `{sessionId}` matches one path segment, as Express's `:sessionId` does.
    const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
    for (const [method, operation] of Object.entries(item)) {
      const responses = (operation as { responses?: Operation['responses'] }).responses;
      if (!responses) continue;
      const list = operations.get(method.toUpperCase()) ?? [];
      list.push({ pattern, path, responses });
      operations.set(method.toUpperCase(), list);
    }
  }
  // strict: false lets OpenAPI's own keywords (example, description, x-…) through; every format
  // ajv-formats does not know (e.g. `binary`) is accepted as the document's business.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const components = toJsonSchema(document.components ?? {}) as Json;
  for (const format of formatsIn(components)) if (!ajv.formats[format]) ajv.addFormat(format, true);
  return { operations, components, validators: new Map(), ajv };
}

/**
 * OpenAPI 3.0 schemas are JSON Schema but for `nullable`, which becomes "or null"; `nullable`
 * beside a `$ref` or `allOf` must hold too, so the conversion wraps rather than widening `type`.
 * A schema composed with allOf would need its parts open; the service's document has none
 * (@nestjs/swagger copies inherited properties into each class, and lone wrappers are removed).
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const converted: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    // `example(s)` are data, not schemas: copied as they are.
    converted[key] = key === 'example' || key === 'examples' ? value : toJsonSchema(value);
  }
  // A property the code returns but the document does not name is drift too: objects that list
  // their properties are closed unless the document says otherwise.
  if (converted.properties && !('additionalProperties' in converted)) converted.additionalProperties = false;
  if (converted.nullable !== true) return converted;
  delete converted.nullable;
  return { anyOf: [converted, { type: 'null' }] };
}

function formatsIn(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) formatsIn(item, found);
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'format' && typeof value === 'string') found.add(value);
      else if (key !== 'example' && key !== 'examples') formatsIn(value, found);
    }
  }
  return found;
}

/**
 * The problems of one answer against the document: none when `body` is what the operation
 * documents for `status`. An operation the document lacks, or a status it does not list, is a
 * problem too: every answer a client can get should be in the document.
 */
export async function contractProblems(
  baseUrl: string,
  method: string,
  url: string,
  status: number,
  body: unknown,
  contentType: string | null,
): Promise<string[]> {
  const path = new URL(url, 'http://service').pathname;
  // The document and its UI are what describes the API, not part of it.
  if (/^\/docs(-json|-yaml|\/|$)/.test(path)) return [];
  const contract = await contractOf(baseUrl);
  const operation = contract.operations.get(method.toUpperCase())?.find((candidate) => candidate.pattern.test(path));
  if (!operation) return [`${method} ${path} is not in the OpenAPI document`];
  const response = operation.responses[String(status)] ?? operation.responses.default;
  if (!response) return [`${method} ${operation.path} does not document status ${status}`];
  const media = Object.keys(response.content ?? {});
  if (media.length === 0) return [];
  const type = (contentType ?? '').split(';')[0].trim();
  const schema = response.content?.[type]?.schema;
  if (!response.content?.[type])
    return [`${method} ${operation.path} ${status} answered ${type || 'no content type'}, documented: ${media.join(', ')}`];
  if (!schema || type !== 'application/json') return [];
  const key = `${method.toUpperCase()} ${operation.path} ${status}`;
  let validate = contract.validators.get(key);
  if (!validate) {
    // The components ride along in the root so that `#/components/schemas/…` resolves as in the document.
    validate = contract.ajv.compile({ ...(toJsonSchema(schema) as Json), components: contract.components });
    contract.validators.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${key}: body${error.instancePath} ${error.message ?? 'is invalid'}`);
}

/** Fails the test when the answer is not what the document says it is. */
export async function expectDocumented(
  baseUrl: string,
  request: { method: string; url: string },
  answer: { status: number; body: unknown; headers: Headers },
): Promise<void> {
  const problems = await contractProblems(
    baseUrl,
    request.method,
    request.url,
    answer.status,
    answer.body,
    answer.headers.get('content-type'),
  );
  if (problems.length > 0) throw new Error(`the answer does not match the OpenAPI document:\n  ${problems.join('\n  ')}`);
}
