import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { isUsableId } from '../suki/vendor-id';

/** The body of PUT /v1/sessions/{sessionId} (docs/api.md, Registering a session). */
export class RegisterSessionInput {
  @ApiProperty({ description: "Suki's encounter id the session belongs to.", example: '4d753ce1-bbff-43e1-950a-82dea2d86873' })
  encounterId: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When the session ended at Suki (ISO-8601 with a time zone). Reconciliation polls from RECONCILE_AFTER_MS after it.',
  })
  endedAt?: string;
}

export interface Registration {
  encounterId: string;
  endedAt?: Date;
}

/** ISO-8601 date-time with a zone: what `endedAt` must be, so no instant is guessed from local time. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
/** An endedAt further ahead than this is a clock or unit error, not a session that will end then. */
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/**
 * A registration from the request's JSON object (JsonBody), or the message of the 400 naming the
 * offending field. Unknown fields are refused like unknown query parameters, so a misspelt
 * `endedAt` is not silently ignored.
 */
export function parseRegistration(fields: Record<string, unknown>, nowMs: number): Registration | { problem: string } {
  const unknown = Object.keys(fields).find((key) => key !== 'encounterId' && key !== 'endedAt');
  if (unknown !== undefined)
    return { problem: /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(unknown) ? `unknown field ${unknown}` : 'an unknown field was given' };
  if (!isUsableId(fields.encounterId))
    return { problem: 'encounterId must be a string of 1 to 255 characters without control or format characters, and not . or ..' };
  if (fields.endedAt === undefined || fields.endedAt === null) return { encounterId: fields.encounterId };
  const endedAt = typeof fields.endedAt === 'string' && ISO_INSTANT.test(fields.endedAt) ? new Date(fields.endedAt) : undefined;
  if (!endedAt || Number.isNaN(endedAt.getTime())) return { problem: 'endedAt must be an ISO-8601 date-time with a time zone' };
  if (endedAt.getTime() > nowMs + MAX_FUTURE_MS) return { problem: 'endedAt must not be more than 24 hours in the future' };
  return { encounterId: fields.encounterId, endedAt };
}
