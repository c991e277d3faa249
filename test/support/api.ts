import { expectDocumented } from './openapi-contract';
import { TEST_INTERNAL_TOKEN } from './test-app';

/**
 * An answer of the service's HTTP API. `T` is what the test expects the body to be (an output
 * DTO, or ErrorBody); the test's assertions check the values, openapi.ts checks the shape.
 */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiGetOptions {
  /** The bearer token; null sends none. Default: the test app's internal token. */
  token?: string | null;
  /** The whole Authorization header, instead of a bearer token. */
  authorization?: string;
  headers?: Record<string, string>;
  /** Check the answer against the OpenAPI document (default); false for answers a test provokes outside it. */
  documented?: boolean;
}

/** GET against the service, with the test's bearer token unless told otherwise; the answer must match the document. */
export async function apiGet<T = unknown>(baseUrl: string, path: string, options: ApiGetOptions = {}): Promise<ApiAnswer<T>> {
  const token = options.token === undefined ? TEST_INTERNAL_TOKEN : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // non-JSON answers are returned as text
  }
  const answer = { status: response.status, body: body as T, headers: response.headers };
  if (options.documented !== false) await expectDocumented(baseUrl, { method: 'GET', url: path }, answer);
  return answer;
}
