import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, ValidateBy } from 'class-validator';
import { isUsableId } from '../suki/vendor-id';
import { SessionStatus } from '../generated/prisma/enums';
import { PageInput } from '../api/page.input';

const STATUSES = Object.values(SessionStatus);

/** GET /v1/sessions filters. */
export class ListSessionsInput extends PageInput {
  @ApiPropertyOptional({ enum: SessionStatus, enumName: 'SessionStatus', description: 'Only sessions in this status.' })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of: ${STATUSES.join(', ')}` })
  status?: SessionStatus;

  @ApiPropertyOptional({ description: 'Only sessions of this encounter.' })
  @IsOptional()
  // The rule intake applies (src/suki/vendor-id.ts): an id it would refuse cannot match anything.
  @ValidateBy(
    { name: 'isUsableId', validator: { validate: isUsableId } },
    { message: 'encounterId must not contain control characters, format characters or line separators' },
  )
  @Length(1, 255, { message: 'encounterId must be 1 to 255 characters' })
  @IsString({ message: 'encounterId must be given once' })
  encounterId?: string;
}
