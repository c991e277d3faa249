import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { MAX_INSTANT_MS, MIN_INSTANT_MS } from './cursor';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

// A date, or a date-time with a zone: a zone-less time would mean whatever the server's zone is.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO-8601 instant parameter named `name`. Malformed values are a 400 naming it.
 * class-validator runs a property's decorators bottom-up: the most basic check is the last one.
 */
export function IsInstantParam(name: string): PropertyDecorator {
  // Listed in the order they are applied, which is the reverse of stacking them on a property.
  return applyDecorators(
    Matches(ISO_INSTANT, { message: `${name} must be an ISO-8601 date or date-time with a zone, e.g. 2026-11-27T10:00:00Z` }),
    IsISO8601({ strict: true }, { message: `${name} must be a valid calendar date and time` }),
    ValidateBy(
      {
        name: 'instantInRange',
        validator: { validate: (value: unknown) => typeof value === 'string' && inRange(new Date(value).getTime()) },
      },
      { message: `${name} must lie between the years 0001 and 9999` },
    ),
    IsOptional(),
  );
}

/** The page size and cursor every keyset-paged list takes. */
export class KeysetPageInput {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Page size.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  limit?: number;

  @ApiPropertyOptional({
    type: String,
    description: 'The `nextCursor` of the previous page, verbatim. Only valid with the same filters it was issued for.',
  })
  @IsOptional()
  @MaxLength(1024, { message: 'cursor is not a cursor issued by this service' })
  @IsString({ message: 'cursor must be given once' })
  cursor?: string;
}

/** Query parameters the session and encounter lists share. */
export class PageInput extends KeysetPageInput {
  @ApiPropertyOptional({
    type: String,
    // Not `format: date-time`: a plain date is accepted too (meaning its UTC midnight).
    pattern: ISO_INSTANT.source,
    description:
      'Only items updated at or after this instant: an ISO-8601 date-time with a zone (`Z` or `±hh:mm`), or a date meaning its ' +
      'UTC midnight; millisecond precision. ' +
      'For browsing: an item can commit with an updatedAt before a walk began, so to follow changes use GET /v1/events.',
    example: '2026-11-27T00:00:00Z',
  })
  @IsInstantParam('updatedSince')
  updatedSince?: string;
}

function inRange(ms: number): boolean {
  return ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
}
