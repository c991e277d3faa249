import { INestApplication } from '@nestjs/common';
import helmet from 'helmet';
import { DocumentBuilder, OpenAPIObject, OperationObject, SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorOutput } from './error.output';
import { applyOpenApiMarks } from './openapi-marks';
import { BEARER_SCHEME, SCOPES_EXTENSION } from './openapi-names';

const DESCRIPTION = `Receives Suki's signed ambient-documentation notifications, retrieves the resulting note, structured data
and transcripts from Suki, and tells internal systems whether an encounter's note is ready, why a session failed and what
Suki returned.

* **/v1** — the query API: \`Authorization: Bearer <token>\` with the token of an internal client (INTERNAL_API_CLIENTS, or
  INTERNAL_API_TOKENS with \`read\` + \`content\`). Each operation names the scopes it needs (\`x-required-scopes\`): \`read\`
  (states, never note content), \`content\` (artifact \`data\`), \`register\`, \`admin\`. A valid token without them gets 403
  with \`WWW-Authenticate: Bearer error="insufficient_scope"\`. Every answer carrying note content is in the access audit
  (GET /v1/audit) before it goes out. JSON, camelCase, times ISO-8601 UTC, ids are Suki's. Errors are
  \`{statusCode, error, message}\`; a malformed query parameter is a 400 naming it.
* **POST /webhooks/notification** — Suki's callback, authenticated by its HMAC signature instead.
* **/health/*, /metrics, /docs** — operations; no token.`;

/**
 * Serves the OpenAPI UI at /docs and the document at /docs-json (and /docs-yaml), without
 * authentication. Must run before app.init(): the routes have to precede Nest's 404 handler.
 * The document is built on its first request, so startup pays nothing for it.
 */
export function setupOpenApi(app: INestApplication): void {
  // The UI is a page a browser runs with a bearer token in it: a Content-Security-Policy keeps
  // it to its own scripts, and it may not be framed (clickjacking). Ahead of the UI's routes.
  app.use(
    ['/docs', '/docs-json', '/docs-yaml'],
    helmet({
      contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } },
      frameguard: { action: 'deny' },
    }),
  );
  const base = new DocumentBuilder()
    .setTitle('Suki notification service')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        // Tokens are opaque random strings, not JWTs: addBearerAuth would otherwise claim `bearerFormat: JWT`.
        bearerFormat: undefined,
        description: 'The token of a client of INTERNAL_API_CLIENTS or INTERNAL_API_TOKENS (an opaque string).',
      },
      BEARER_SCHEME,
    )
    .addTag('sessions', 'Ambient sessions: status, failure reason, timeline and artifacts')
    .addTag('encounters', 'Encounters: status of the latest session, sessions and encounter-level artifacts')
    .addTag('audit', 'Who was served note content, and every admin action (scope admin)')
    .addTag('webhooks', "Suki's notification callback")
    .addTag('operations', 'Health and metrics')
    // Relative: the document describes whichever host serves it (a replica, a dev machine).
    .addServer('/', 'The service that serves this document')
    .build();
  SwaggerModule.setup('docs', app, () => buildDocument(app, base), {
    customSiteTitle: 'Suki notification service API',
    // A token pasted into the UI lives only as long as the page: not kept in localStorage.
    swaggerOptions: { persistAuthorization: false },
  });
}

/** The document as the decorators describe it, with the few touches they cannot express. */
export function buildDocument(app: INestApplication, base: Omit<OpenAPIObject, 'paths'>): OpenAPIObject {
  const document = SwaggerModule.createDocument(app, base, { extraModels: [ErrorOutput] });
  for (const item of Object.values(document.paths)) for (const operation of Object.values(item)) nameScopes(operation as OperationObject);
  for (const schema of Object.values(document.components?.schemas ?? {})) unwrapLoneAllOf(schema as SchemaObject);
  applyOpenApiMarks(document);
  return document;
}

/** Says in an operation's description which scopes RequireScopes gave it, for readers of the UI. */
function nameScopes(operation: OperationObject): void {
  const scopes = (operation as unknown as Record<string, unknown>)[SCOPES_EXTENSION];
  if (!Array.isArray(scopes)) return;
  const line = `Requires scope ${scopes.map((scope) => `\`${String(scope)}\``).join(' + ')}.`;
  operation.description = operation.description ? `${line}\n\n${operation.description}` : line;
}

/**
 * @nestjs/swagger wraps every enum reference in `allOf: [$ref]` so that a description can sit
 * beside it (OpenAPI 3.0 ignores siblings of `$ref`); with no sibling the wrapper says nothing and
 * linters flag it, so such a property becomes the plain reference.
 */
function unwrapLoneAllOf(schema: SchemaObject): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const keys = Object.keys(property);
    if (keys.length === 1 && 'allOf' in property && property.allOf?.length === 1) schema.properties![name] = property.allOf[0];
  }
}
