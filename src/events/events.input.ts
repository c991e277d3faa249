import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EVENT_TYPES } from './event-types';

export const DEFAULT_EVENTS_LIMIT = 100;
export const MAX_EVENTS_LIMIT = 1000;
export const MAX_WAIT_SECONDS = 30;

/** GET /v1/events. Malformed values are a 400 naming the parameter (bottom-up decorator order). */
export class EventsInput {
  @ApiPropertyOptional({
    type: String,
    description:
      'Where to continue: the `nextCursor` of the previous answer (or any event `id`), verbatim; `start` for the oldest ' +
      'retained event (the default); `now` for only events that become visible from now on.',
    example: 'start',
  })
  @IsOptional()
  @MaxLength(1024, { message: 'after is not a cursor issued by this service' })
  @IsString({ message: 'after must be given once' })
  after?: string;

  @ApiPropertyOptional({
    type: String,
    description: `Only these types, comma-separated: ${EVENT_TYPES.join(', ')}.`,
    example: 'session.results_ready,session.failed',
  })
  @IsOptional()
  @MaxLength(1024, { message: 'types is too long' })
  @IsString({ message: 'types must be given once, comma-separated' })
  types?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_EVENTS_LIMIT, default: DEFAULT_EVENTS_LIMIT, description: 'Page size.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be a whole number from 1 to ${MAX_EVENTS_LIMIT}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${MAX_EVENTS_LIMIT}` })
  @Max(MAX_EVENTS_LIMIT, { message: `limit must be a whole number from 1 to ${MAX_EVENTS_LIMIT}` })
  limit?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    default: 0,
    description: 'When nothing is there yet, wait up to this long for the next event before answering (long-poll).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `waitSeconds must be a whole number from 0 to ${MAX_WAIT_SECONDS}` })
  @Min(0, { message: `waitSeconds must be a whole number from 0 to ${MAX_WAIT_SECONDS}` })
  @Max(MAX_WAIT_SECONDS, { message: `waitSeconds must be a whole number from 0 to ${MAX_WAIT_SECONDS}` })
  waitSeconds?: number;
}
