import { ApiProperty } from '@nestjs/swagger';
import { AnyJsonProperty } from '../common/openapi-marks';
import { ArtifactKind, ArtifactStatus } from '../generated/prisma/enums';

/** A resource retrieved from Suki, as listed with its session or encounter (without its data). */
export class ArtifactSummaryOutput {
  @ApiProperty({ enum: ArtifactKind, enumName: 'ArtifactKind', description: 'Which Suki resource: the `_links` key it came from.' })
  kind: ArtifactKind;

  @ApiProperty({
    enum: ArtifactStatus,
    enumName: 'ArtifactStatus',
    description: '`pending` until fetched (or while retrying), then `ready` or `failed` for good.',
  })
  status: ArtifactStatus;

  @ApiProperty({ type: 'integer', description: 'Fetch attempts made for the current request of this resource.', example: 1 })
  attempts: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the data was retrieved (UTC).' })
  fetchedAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed, if it did.', example: null })
  lastError: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the next attempt is due (UTC) while the artifact is pending; null once settled.',
  })
  nextAttemptAt: string | null;

  @ApiProperty({
    description:
      'True when the data was fetched from the built-in Suki API simulator (outside production, with no Suki API ' +
      'configured): made up, never a real note. False for data from a real Suki API.',
    example: false,
  })
  simulated: boolean;
}

/** One artifact with the JSON Suki returned. */
export class ArtifactOutput extends ArtifactSummaryOutput {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When RETENTION_DAYS purged `data` (UTC): the state stays, the content is gone for good. Null while it is kept.',
  })
  purgedAt: string | null;

  // Any JSON value: Suki's transcripts are an array, and a schema of `type: object` rejected them.
  @AnyJsonProperty({
    description:
      'The JSON body Suki returned for this resource, verbatim: any JSON value (an object, an array…). Null unless `status` ' +
      'is `ready`, and once purged.',
  })
  data: unknown;
}
