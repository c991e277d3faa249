import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { artifactFilterInput } from './artifact-filter.input';

/**
 * POST /v1/artifacts/retry: which failed artifacts to put back to work. Every field narrows;
 * an empty body retries every failed artifact. Only failed ones are retried: a pending artifact
 * is already being worked on, and a ready one has its data.
 */
export class RetryArtifactsInput extends artifactFilterInput('must be a string') {
  @ApiPropertyOptional({ enum: ['failed'], description: 'Only `failed` artifacts are retried; the field may be left out.' })
  @IsOptional()
  @IsIn(['failed'], { message: 'status must be failed: only failed artifacts are retried' })
  status?: 'failed';
}
