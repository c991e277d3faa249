/**
 * The console spoken to over plain HTTP, as a browser would without JavaScript: a cookie jar,
 * forms posted urlencoded with the CSRF token the page carried. For what a browser test cannot
 * do on purpose (forged posts, exact headers); flows a person follows are in console-browser.
 */
export interface ConsoleAnswer {
  status: number;
  headers: Headers;
  html: string;
}

export class ConsoleClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<ConsoleAnswer> {
    return this.send(path, { method: 'GET', headers });
  }

  /** A form post; `headers` may add or override (e.g. a foreign Origin). */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<ConsoleAnswer> {
    return this.send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.baseUrl, 'sec-fetch-site': 'same-origin', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Posts `fields` with the CSRF token of the form on `formPage`. */
  async submit(formPage: string, path: string, fields: Record<string, string> = {}): Promise<ConsoleAnswer> {
    const page = await this.get(formPage);
    return this.post(path, { _csrf: csrfTokenIn(page.html), ...fields });
  }

  async signIn(token: string): Promise<ConsoleAnswer> {
    return this.submit('/console/sign-in', '/console/sign-in', { token });
  }

  private async send(path: string, init: RequestInit): Promise<ConsoleAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(this.cookies.size ? { cookie: this.cookieHeader } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = response.headers.get('location');
    if (response.status === 303 && location) return this.get(location);
    return { status: response.status, headers: response.headers, html: await response.text() };
  }
}

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
}
