import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { SessionStatus } from '../generated/prisma/enums';
import { PageInput } from '../api/page.input';

const STATUSES = Object.values(SessionStatus);

/** GET /v1/encounters filters. */
export class ListEncountersInput extends PageInput {
  @ApiPropertyOptional({
    enum: SessionStatus,
    enumName: 'SessionStatus',
    description: "Only encounters in this status (the status of the encounter's session with the latest vendor event).",
  })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of: ${STATUSES.join(', ')}` })
  status?: SessionStatus;
}
