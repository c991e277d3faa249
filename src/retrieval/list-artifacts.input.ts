import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ArtifactStatus } from '../generated/prisma/enums';
import { KeysetPageInput } from '../api/page.input';
import { artifactFilterInput } from './artifact-filter.input';

const STATUSES = Object.values(ArtifactStatus);

/** GET /v1/artifacts: the dead letters by default, any status when asked. */
export class ListArtifactsInput extends IntersectionType(artifactFilterInput('must be given once'), KeysetPageInput) {
  @ApiPropertyOptional({
    enum: ArtifactStatus,
    enumName: 'ArtifactStatus',
    default: 'failed',
    description: 'Only artifacts in this status; `failed` (the dead letters) when not given.',
  })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of: ${STATUSES.join(', ')}` })
  status?: ArtifactStatus;
}
