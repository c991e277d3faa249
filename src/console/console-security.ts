import { Injectable } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import { urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { logWithRequest } from '../logging/request-context';
import type { ConsoleRequest } from './console-request';
import { ConsoleSession, decodeSession, encodeSession } from './console-session';
import { ConsoleViews } from './console-views';
import { isSameOriginRequest } from './request-origin';

export const SESSION_COOKIE = 'console_session';
const CSRF_COOKIE = 'console_csrf';
/** The form field every state-changing form carries (the header `x-csrf-token` works too). */
export const CSRF_FIELD = '_csrf';
const COOKIE_PATH = '/console';

/**
 * No script but the console's own files, no inline script or style (so no `style=` attributes
 * either: the pages style through classes in console.css), nothing from another origin, no
 * framing, forms only to the console itself.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * Everything /console needs before its controllers, mounted on /console only (app.setup.ts): the
 * webhook path gets none of it. Security headers, cookies, form bodies, who is signed in, and for
 * every POST the same-origin check and the CSRF token (double submit, bound to the sign-in).
 */
@Injectable()
export class ConsoleSecurity {
  private readonly sessionKey: Buffer;
  /** Sign-outs on this instance, until their sessions would have expired anyway. */
  private readonly signedOut = new Map<string, number>();
  private readonly csrf: ReturnType<typeof doubleCsrf>;

  constructor(
    private readonly config: AppConfig,
    private readonly views: ConsoleViews,
  ) {
    const secret = config.console.sessionSecret;
    this.sessionKey = secret ? derive(secret, 'session') : randomBytes(32);
    const csrfSecret = (secret ? derive(secret, 'csrf') : randomBytes(32)).toString('hex');
    this.csrf = doubleCsrf({
      getSecret: () => csrfSecret,
      getSessionIdentifier: (request) => (request as ConsoleRequest).consoleSignIn?.session.id ?? 'signed-out',
      cookieName: CSRF_COOKIE,
      cookieOptions: { sameSite: 'strict', path: COOKIE_PATH, secure: config.production, httpOnly: true },
      getCsrfTokenFromRequest: (request) => {
        const body = request.body as Record<string, unknown> | undefined;
        const field = body?.[CSRF_FIELD];
        return typeof field === 'string' ? field : request.headers['x-csrf-token'];
      },
    });
  }

  /** The middleware chain, in order. */
  get handlers(): RequestHandler[] {
    return [
      headers,
      cookieParser(),
      urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }),
      (request, response, next) => this.identify(request as ConsoleRequest, response, next),
      (request, response, next) => this.guardPost(request as ConsoleRequest, response, next),
    ];
  }

  /** Signs `session` in: its cookie replaces whatever sign-in the browser had. */
  signIn(response: Response, session: ConsoleSession): void {
    response.cookie(SESSION_COOKIE, encodeSession(session, this.sessionKey), this.cookieOptions());
  }

  signOut(request: ConsoleRequest, response: Response): void {
    const session = request.consoleSignIn?.session;
    if (session) this.signedOut.set(session.id, session.issuedAtMs + this.config.console.maxAgeMs);
    response.clearCookie(SESSION_COOKIE, this.cookieOptions());
    response.clearCookie(CSRF_COOKIE, this.cookieOptions());
  }

  private identify(request: ConsoleRequest, response: Response, next: NextFunction): void {
    const now = Date.now();
    const cookies = request.cookies as Record<string, string | undefined>;
    const found = decodeSession(cookies[SESSION_COOKIE], [this.sessionKey], this.config.apiClients, this.config.console, now);
    this.forgetExpiredSignOuts(now);
    if (found && !this.signedOut.has(found.session.id)) {
      request.consoleSignIn = found;
      logWithRequest({ client: found.client.name });
      // Activity keeps a sign-in alive; the overview refreshing itself in an unattended tab does not.
      if (request.path !== '/overview/figures') this.signIn(response, { ...found.session, lastSeenMs: now });
    }
    request.consoleCsrfToken = () => this.csrf.generateCsrfToken(request, response);
    next();
  }

  private guardPost(request: ConsoleRequest, response: Response, next: NextFunction): void {
    if (request.method === 'GET' || request.method === 'HEAD') return next();
    const sameOrigin = isSameOriginRequest(request.headers, request.protocol);
    if (sameOrigin && this.csrf.validateRequest(request)) return next();
    const reason = sameOrigin
      ? 'This form was refused: its security token is missing or out of date. Reload the page and try again.'
      : 'This form was refused: it was not sent from this console.';
    this.views.send(request, response, 403, 'error', { title: 'Refused' }, { message: reason });
  }

  private cookieOptions() {
    return { httpOnly: true, sameSite: 'strict' as const, secure: this.config.production, path: COOKIE_PATH };
  }

  private forgetExpiredSignOuts(now: number): void {
    for (const [id, expiresAtMs] of this.signedOut) if (expiresAtMs < now) this.signedOut.delete(id);
  }
}

function headers(_request: Request, response: Response, next: NextFunction): void {
  // Pages show health data: no cache on the way may keep one, nor the browser's history.
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Security-Policy', CONSOLE_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  // Not `no-referrer`: under it a browser sends `Origin: null` with a plain form post, which the
  // same-origin check must refuse. Page URLs hold identifiers only; nothing leaves for another origin.
  response.setHeader('Referrer-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
}

function derive(secret: string, purpose: string): Buffer {
  return createHash('sha256').update(`console-${purpose}\0${secret}`).digest();
}
