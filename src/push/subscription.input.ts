import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EVENT_TYPES } from '../events/event-types';

export const DEFAULT_MAX_IN_FLIGHT = 8;
export const MAX_IN_FLIGHT = 64;
const MAX_URL_LENGTH = 2048;

const typesDoc: ApiPropertyOptions & { description: string } = {
  type: [String],
  description: `Only events of these types (as GET /v1/events names them: ${EVENT_TYPES.join(', ')}); left out, every type, including types added later.`,
  example: ['session.results_ready', 'session.failed'],
};
const maxInFlightDoc = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_IN_FLIGHT,
  default: DEFAULT_MAX_IN_FLIGHT,
  description: 'Deliveries of different sessions in flight at once at most (one session is always one at a time).',
} as const;
const maxInFlightMessage = `maxInFlight must be a whole number from 1 to ${MAX_IN_FLIGHT}`;

/** POST /v1/subscriptions. Unknown fields are a 400 naming them; types are checked by the service. */
export class CreateSubscriptionInput {
  @ApiProperty({
    description:
      'Where deliveries are POSTed: https (http too outside production) on a host of PUSH_ALLOWED_HOSTS. Credentials in it are sent as Basic authorization and never shown.',
    example: 'https://ehr-sync.internal.example.com/hooks/suki',
  })
  @MaxLength(MAX_URL_LENGTH, { message: `url must be at most ${MAX_URL_LENGTH} characters` })
  @IsString({ message: 'url must be a string' })
  url: string;

  @ApiPropertyOptional(typesDoc)
  @IsOptional()
  @ArrayMaxSize(64, { message: 'types names too many types' })
  @IsString({ each: true, message: 'types must be a list of strings' })
  @IsArray({ message: 'types must be a list of strings' })
  types?: string[];

  @ApiPropertyOptional({
    type: String,
    description:
      'Where delivery starts: `now` (the default: events from now on), `start` (the oldest event kept) or a feed cursor (an event `id` or a `nextCursor` of GET /v1/events).',
    example: 'now',
  })
  @IsOptional()
  @MaxLength(1024, { message: 'after is not a cursor issued by this service (or start, or now)' })
  @IsString({ message: 'after must be a string' })
  after?: string;

  @ApiPropertyOptional({ type: String, description: 'Free text for operators.', example: 'EHR sync, production' })
  @IsOptional()
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  @IsString({ message: 'description must be a string' })
  description?: string;

  @ApiPropertyOptional(maxInFlightDoc)
  @IsOptional()
  @Max(MAX_IN_FLIGHT, { message: maxInFlightMessage })
  @Min(1, { message: maxInFlightMessage })
  @IsInt({ message: maxInFlightMessage })
  maxInFlight?: number;
}

/** PATCH /v1/subscriptions/{id}: only what is given changes. */
export class UpdateSubscriptionInput {
  @ApiPropertyOptional({ type: String, description: 'A new endpoint (same rules as at creation).' })
  @IsOptional()
  @MaxLength(MAX_URL_LENGTH, { message: `url must be at most ${MAX_URL_LENGTH} characters` })
  @IsString({ message: 'url must be a string' })
  url?: string;

  @ApiPropertyOptional({ ...typesDoc, description: `${typesDoc.description} An empty list means every type too.` })
  @IsOptional()
  @ArrayMaxSize(64, { message: 'types names too many types' })
  @IsString({ each: true, message: 'types must be a list of strings' })
  @IsArray({ message: 'types must be a list of strings' })
  types?: string[];

  @ApiPropertyOptional({
    enum: ['active', 'paused'],
    description: '`paused`: once answered, no new delivery starts. `active`: resumes from the cursor (also from `disabled`).',
  })
  @IsOptional()
  @IsIn(['active', 'paused'], { message: 'status must be active or paused' })
  status?: 'active' | 'paused';

  @ApiPropertyOptional(maxInFlightDoc)
  @IsOptional()
  @Max(MAX_IN_FLIGHT, { message: maxInFlightMessage })
  @Min(1, { message: maxInFlightMessage })
  @IsInt({ message: maxInFlightMessage })
  maxInFlight?: number;
}

/** POST /v1/subscriptions/{id}/replay. */
export class ReplayInput {
  @ApiProperty({
    type: String,
    description: '`start` (the oldest event kept) or a feed cursor: everything after it is delivered again, in order.',
    example: 'start',
  })
  @MaxLength(1024, { message: 'after is not a cursor issued by this service (or start)' })
  @IsString({ message: 'after must be a string: start or a feed cursor' })
  after: string;
}
