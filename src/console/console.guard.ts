import {
  ArgumentsHost,
  CanActivate,
  Catch,
  ExceptionFilter,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Injectable,
  Logger,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { Scope } from '../config/api-clients';
import { describeError } from '../common/http-error';
import type { ConsoleRequest } from './console-request';
import { ConsoleViews } from './console-views';

const CONSOLE_ACCESS = 'console:access';
type Access = Scope | 'public' | 'signed-in';

/** Who may use a console route: a scope, any signed-in client, or anyone (sign-in, assets). Every route says. */
export const ConsoleAccess = (access: Access) => SetMetadata(CONSOLE_ACCESS, access);

/** Nobody is signed in (or the sign-in expired): pages send the browser to sign in. */
export class SignInRequired extends Error {}

/**
 * Lets a console route run only for a signed-in client holding its scope. The pages render no
 * button a client's scopes do not allow; this refuses the action anyway when one is forged.
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<Access | undefined>(CONSOLE_ACCESS, [context.getHandler(), context.getClass()]);
    // Fail closed: a route that forgot to say serves nobody.
    if (access === undefined) throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no console access`);
    if (access === 'public') return true;
    const signIn = context.switchToHttp().getRequest<ConsoleRequest>().consoleSignIn;
    if (!signIn) throw new SignInRequired();
    if (access === 'signed-in' || signIn.client.scopes.includes(access)) return true;
    throw new ForbiddenException(`This needs the ${access} scope, which client ${signIn.client.name} does not have.`);
  }
}

/** Errors on console routes become pages (or a redirect to sign in), never JSON. */
@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');

  constructor(private readonly views: ConsoleViews) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<ConsoleRequest>();
    const response = http.getResponse<Response>();
    if (error instanceof SignInRequired) {
      // htmx follows HX-Redirect with a full navigation; a plain browser follows the 303.
      if (request.headers['hx-request']) response.status(401).setHeader('HX-Redirect', '/console/sign-in').end();
      else response.redirect(303, '/console/sign-in');
      return;
    }
    let status = 500;
    let message = 'Something went wrong; the error is in the service log.';
    if (error instanceof HttpException) [status, message] = [error.getStatus(), messageOf(error)];
    if (status >= 500) this.logger.warn(`console ${request.method} ${request.path} failed: ${describeError(error)}`);
    this.views.send(request, response, status, 'error', { title: status === 403 ? 'Not allowed' : 'Error' }, { message });
  }
}

function messageOf(error: HttpException): string {
  const body = error.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
}
