import { ApiAnswer } from './api';
import { expectDocumented } from './openapi-contract';
import { TEST_INTERNAL_TOKEN } from './test-app';

/** A /v1/subscriptions call with the given method and JSON body; the answer must match the OpenAPI document. */
export async function pushApi<T = Record<string, unknown>>(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  token = TEST_INTERNAL_TOKEN,
): Promise<ApiAnswer<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // non-JSON answers are returned as text
  }
  const answer = { status: response.status, body: parsed as T, headers: response.headers };
  await expectDocumented(baseUrl, { method, url: path }, answer);
  return answer;
}
