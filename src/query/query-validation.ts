import { ValidationPipe } from '@nestjs/common';
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
});
