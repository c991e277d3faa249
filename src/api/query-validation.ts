import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import * as classValidator from 'class-validator';

/**
 * Validates list query parameters into their *.input.ts classes. Unknown parameters are
 * refused too, so a misspelt filter is a 400 rather than a silently unfiltered list.
 * The packages are passed in, not loaded lazily by Nest, so nothing is imported at request time.
 */
export const queryValidation = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  stopAtFirstError: true,
  validatorPackage: classValidator,
  transformerPackage: classTransformer,
  exceptionFactory: (errors: ValidationError[]) => new BadRequestException(errors.flatMap(messagesOf)),
});

// A parameter name is worth naming back when it looks like one; anything else the caller put in
// the query string (a pasted token, say) is not repeated in the answer.
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function messagesOf(error: ValidationError): string[] {
  return Object.entries(error.constraints ?? {}).map(([constraint, message]) =>
    constraint === 'whitelistValidation' && !PLAIN_NAME.test(error.property) ? 'an unknown query parameter was given' : message,
  );
}
