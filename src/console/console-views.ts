import { Injectable } from '@nestjs/common';
import { Eta } from 'eta';
import type { Response } from 'express';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import type { ConsoleRequest } from './console-request';

/** What every page's layout needs besides the page's own data. */
export interface PageFrame {
  title: string;
  /** The navigation link of this page, marked current. */
  current?: 'overview' | 'dead-letters' | 'subscriptions';
  /** What the search field holds. */
  query?: string;
}

/**
 * Renders the console's pages: Eta templates (views/*.eta) with every `<%= %>` output
 * HTML-escaped (autoEscape), inside one layout. Only `<%~ %>` writes raw text, and only the
 * layout uses it, for the page body Eta has already escaped.
 */
@Injectable()
export class ConsoleViews {
  private readonly eta: Eta;

  constructor(config: AppConfig) {
    this.eta = new Eta({ views: join(__dirname, 'views'), autoEscape: true, autoTrim: false, cache: config.production });
  }

  render(template: string, data: object): string {
    return this.eta.render(template, data);
  }

  /** Sends a whole page. `csrfToken` is added for the page's forms when someone is signed in or signing in. */
  send(request: ConsoleRequest, response: Response, status: number, template: string, frame: PageFrame, data: object = {}): void {
    const signedIn = request.consoleSignIn;
    const html = this.render(template, {
      ...data,
      frame,
      client: signedIn ? { name: signedIn.client.name, scopes: signedIn.client.scopes } : undefined,
      csrfToken: request.consoleCsrfToken?.(),
    });
    // A page answering a form post is not a place to come back to: htmx keeps the address bar on
    // the page the form was on (a note revealed stays at the session's address, never `/note`).
    if (request.method === 'POST') response.setHeader('HX-Push-Url', 'false');
    response.status(status).type('html').send(html);
  }
}
