import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { SessionStatus } from '../generated/prisma/enums';
import { PageInput } from './page.input';

const STATUSES = Object.values(SessionStatus);

/** GET /v1/sessions filters. */
export class ListSessionsInput extends PageInput {
  @ApiPropertyOptional({ enum: SessionStatus, enumName: 'SessionStatus', description: 'Only sessions in this status.' })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of: ${STATUSES.join(', ')}` })
  status?: SessionStatus;

  @ApiPropertyOptional({ description: 'Only sessions of this encounter.' })
  @IsOptional()
  // eslint-disable-next-line no-control-regex -- matching control characters is the point: they are rejected
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'encounterId must not contain control characters' })
  @Length(1, 255, { message: 'encounterId must be 1 to 255 characters' })
  @IsString({ message: 'encounterId must be given once' })
  encounterId?: string;
}
