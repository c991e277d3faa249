import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsInstantParam, KeysetPageInput } from '../api/page.input';
import { AUDIT_ACTIONS } from './audit-entry';

const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

/** GET /v1/audit filters. */
export class ListAuditInput extends KeysetPageInput {
  @ApiPropertyOptional({ description: 'Only records of this client.', example: 'ehr' })
  @IsOptional()
  @Matches(NO_CONTROL_CHARACTERS, { message: 'client must not contain control characters' })
  @Length(1, 64, { message: 'client must be 1 to 64 characters' })
  @IsString({ message: 'client must be given once' })
  client?: string;

  @ApiPropertyOptional({ description: 'Only records about this session.' })
  @IsOptional()
  @Matches(NO_CONTROL_CHARACTERS, { message: 'sessionId must not contain control characters' })
  @Length(1, 255, { message: 'sessionId must be 1 to 255 characters' })
  @IsString({ message: 'sessionId must be given once' })
  sessionId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, description: 'Only records of this action.' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of: ${AUDIT_ACTIONS.join(', ')}` })
  action?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Only records written at or after this instant (ISO-8601 with a zone, or a date meaning its UTC midnight).',
    example: '2026-11-27T00:00:00Z',
  })
  @IsInstantParam('since')
  since?: string;
}
