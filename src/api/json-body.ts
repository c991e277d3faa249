import {
  BadRequestException,
  createParamDecorator,
  ExecutionContext,
  UnsupportedMediaTypeException,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import * as classValidator from 'class-validator';
import type { Request } from 'express';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * The JSON object a /v1 request sent, or {} when it sent no body. The application parses JSON
 * bodies to raw bytes only (the webhook's signature covers the bytes as sent), so a /v1 route
 * that takes a body parses it here. Pair it with `bodyValidation` to get a validated input.
 */
export const JsonBody = createParamDecorator((_data: unknown, context: ExecutionContext): Record<string, unknown> => {
  return parseJsonObject(context.switchToHttp().getRequest<Request>());
});

export function parseJsonObject(request: Request): Record<string, unknown> {
  const body: unknown = request.body;
  const bytes = Buffer.isBuffer(body) ? body : undefined;
  const declaresBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (bytes === undefined) {
    // Not parsed: either no body at all (fine, {}) or one of a type the parser does not take.
    if (declaresBody && !request.is(JSON_TYPES)) throw new UnsupportedMediaTypeException('Content-Type must be application/json');
    return {};
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestException('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestException('the body must be a JSON object');
  return value as Record<string, unknown>;
}

// A field name is worth naming back when it looks like one; anything else is not repeated.
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** Validates a JsonBody into its *.input.ts class; unknown fields are refused, naming them. */
export const bodyValidation = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  stopAtFirstError: true,
  validateCustomDecorators: true,
  validatorPackage: classValidator,
  transformerPackage: classTransformer,
  exceptionFactory: (errors: ValidationError[]) => new BadRequestException(errors.flatMap(messagesOf)),
});

function messagesOf(error: ValidationError): string[] {
  return Object.entries(error.constraints ?? {}).map(([constraint, message]) => {
    if (constraint !== 'whitelistValidation') return message;
    return PLAIN_NAME.test(error.property) ? `${error.property} is not a field of this body` : 'an unknown field was given';
  });
}
