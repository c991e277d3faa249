import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { useTestApp } from '../support/use-test-app';

describe('OpenAPI document and UI', () => {
  const { sut } = useTestApp();
  let document: OpenAPIObject;

  beforeAll(async () => {
    const response = await fetch(`${sut().baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenAPIObject;
  });

  /** Follows $refs to the schema they name. */
  const resolve = (schema: SchemaObject | ReferenceObject | undefined): SchemaObject | undefined =>
    schema && '$ref' in schema ? resolve(document.components?.schemas?.[schema.$ref.split('/').pop()!]) : schema;
  /** Parts Nest writes inline, never as a $ref: the test reads them as what they are. */
  const inline = <T>(part: T | ReferenceObject | undefined) => part as T;
  const jsonSchema = (operation: OperationObject | undefined, status: string) =>
    resolve(inline<ResponseObject>(operation!.responses[status])?.content?.['application/json']?.schema);
  const propertyNames = (schema: SchemaObject | undefined) => Object.keys(schema!.properties!);
  const parametersOf = (operation: OperationObject | undefined) => (operation!.parameters ?? []).map((p) => inline<ParameterObject>(p));

  it('serves the UI and the document without a token', async () => {
    const ui = await fetch(`${sut().baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    expect(await ui.text()).toContain('swagger-ui');
    const asset = await fetch(`${sut().baseUrl}/docs/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe('Suki notification service');
  });

  it('describes every query endpoint with its parameters, bearer security and response schemas', () => {
    const expected: Record<string, { schema: string[]; errors: string[] }> = {
      '/v1/sessions': { schema: ['items', 'nextCursor'], errors: ['400', '401'] },
      '/v1/sessions/{sessionId}': {
        schema: [
          'sessionId',
          'encounterId',
          'status',
          'errorCode',
          'errorDetail',
          'additionalInfo',
          'lastEventAt',
          'createdAt',
          'updatedAt',
          'artifacts',
        ],
        errors: ['401', '404'],
      },
      '/v1/sessions/{sessionId}/events': { schema: ['sessionId', 'events'], errors: ['401', '404'] },
      '/v1/sessions/{sessionId}/artifacts/{kind}': {
        schema: ['kind', 'status', 'attempts', 'fetchedAt', 'lastError', 'nextAttemptAt', 'data'],
        errors: ['400', '401', '404'],
      },
      '/v1/encounters': { schema: ['items', 'nextCursor'], errors: ['400', '401'] },
      '/v1/encounters/{encounterId}': {
        schema: ['encounterId', 'status', 'sessions', 'artifacts', 'createdAt', 'updatedAt'],
        errors: ['401', '404'],
      },
      '/v1/encounters/{encounterId}/artifacts/{kind}': {
        schema: ['kind', 'status', 'attempts', 'fetchedAt', 'lastError', 'data'],
        errors: ['400', '401', '404'],
      },
    };
    for (const [path, { schema, errors }] of Object.entries(expected)) {
      const operation = document.paths[path]?.get;
      expect([path, operation?.summary]).toEqual([path, expect.any(String)]);
      expect(operation!.security).toEqual([{ 'internal-token': [] }]);
      expect(propertyNames(jsonSchema(operation, '200'))).toEqual(expect.arrayContaining(schema));
      for (const status of errors)
        expect([path, status, Object.keys(jsonSchema(operation, status)?.properties ?? {})]).toEqual([
          path,
          status,
          ['statusCode', 'error', 'message'],
        ]);
    }
    expect(document.components!.securitySchemes!['internal-token']).toMatchObject({ type: 'http', scheme: 'bearer' });

    const listParameters = parametersOf(document.paths['/v1/sessions'].get).map((p) => [p.name, p.in]);
    expect(listParameters).toEqual(
      expect.arrayContaining([
        ['status', 'query'],
        ['encounterId', 'query'],
        ['updatedSince', 'query'],
        ['limit', 'query'],
        ['cursor', 'query'],
      ]),
    );
    const limit = parametersOf(document.paths['/v1/sessions'].get).find((p) => p.name === 'limit');
    expect(limit!.schema).toMatchObject({ minimum: 1, maximum: 200, default: 50 });
    const kind = parametersOf(document.paths['/v1/sessions/{sessionId}/artifacts/{kind}'].get).find((p) => p.name === 'kind');
    expect(resolve(kind!.schema)!.enum).toEqual([
      'contents',
      'encounter_content',
      'structured_data',
      'encounter_structured_data',
      'transcripts',
      'status',
    ]);

    const session = jsonSchema(document.paths['/v1/sessions/{sessionId}'].get, '200')!;
    expect(resolve(inline<SchemaObject>(session.properties!.artifacts).items)!.properties).toHaveProperty('nextAttemptAt');
    expect(session.properties!.lastEventAt).toMatchObject({ type: 'string', format: 'date-time', nullable: true });
    const events = jsonSchema(document.paths['/v1/sessions/{sessionId}/events'].get, '200')!;
    expect(propertyNames(resolve(inline<SchemaObject>(events.properties!.events).items))).toEqual([
      'receivedAt',
      'generatedAt',
      'vendorStatus',
      'outcome',
    ]);
  });

  it('describes the webhook: signed headers, the Suki notification body and every answer with its body', () => {
    const operation = document.paths['/webhooks/notification']?.post;
    expect(operation).toBeDefined();
    expect(operation!.security).toEqual([]);
    const headers = parametersOf(operation)
      .filter((p) => p.in === 'header')
      .map((p) => [p.name, p.required]);
    expect(headers).toEqual([
      ['generated-at', true],
      ['X-API-Key', true],
    ]);
    const body = resolve(inline<RequestBodyObject>(operation!.requestBody).content['application/json'].schema)!;
    // What parseNotification requires: a body without a status is kept and answered `unrecognized`.
    expect(body.required).toEqual(['session_id', 'encounter_id']);
    expect(body.additionalProperties).toBe(true);
    expect(propertyNames(body)).toEqual(
      expect.arrayContaining([
        'status',
        'session_id',
        'encounter_id',
        'sessions',
        'additional_info',
        'error_code',
        'error_detail',
        '_links',
      ]),
    );
    const links = inline<SchemaObject>(body.properties!._links);
    expect(resolve(inline<SchemaObject>(links.properties!.contents).items)!.properties).toHaveProperty('href');

    const responses = operation!.responses;
    const jsonOf = (status: string) => inline<ResponseObject>(responses[status]).content!['application/json'];
    expect(Object.keys(responses).sort()).toEqual(['200', '202', '400', '401', '413', '415', '503']);
    expect(inline<SchemaObject>(jsonSchema(operation, '200')!.properties!.outcome).enum).toEqual(
      expect.arrayContaining(['applied', 'duplicate', 'stale']),
    );
    expect(Object.keys(jsonOf('200').examples!).sort()).toEqual(['applied', 'duplicate', 'stale']);
    expect(Object.keys(jsonOf('202').examples!).sort()).toEqual(['spooled', 'unrecognized']);
    for (const status of ['400', '401', '413', '415', '503']) {
      expect(propertyNames(jsonSchema(operation, status))).toEqual(['statusCode', 'error', 'message']);
      expect((jsonOf(status).example as { statusCode?: unknown }).statusCode).toBe(Number(status));
    }
  });

  it('describes the operational endpoints', () => {
    for (const path of ['/health/live', '/health/ready', '/metrics']) {
      expect([path, document.paths[path]?.get?.summary]).toEqual([path, expect.any(String)]);
      expect(document.paths[path].get!.security ?? []).toEqual([]);
    }
  });
});
