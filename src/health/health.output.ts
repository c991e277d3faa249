import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { OpenSchema } from '../common/openapi-marks';

/** One check of a health answer, as terminus reports it, with what our indicators add. */
@OpenSchema({ name: 'HealthIndicatorOutput', description: 'One check: `up` or `down`, with what it found.' })
export class HealthIndicatorOutput {
  @ApiProperty({ enum: ['up', 'down'] })
  status: 'up' | 'down';

  @ApiPropertyOptional({ description: 'database, migrations, spool: why the check is down.', example: 'database unreachable' })
  message?: string;

  @ApiPropertyOptional({ type: [String], description: 'migrations: the migrations not yet applied.' })
  pending?: string[];

  @ApiPropertyOptional({ description: 'spool: intake has found the database away and is writing to the spool.' })
  spooling?: boolean;

  @ApiPropertyOptional({ type: 'integer', description: 'spool: notifications waiting in it.' })
  records?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'spool: bytes they take.' })
  bytes?: number;
}

const CHECKS = { type: 'object', additionalProperties: { $ref: getSchemaPath(HealthIndicatorOutput) } } as const;

/** The body of /health/live and /health/ready (terminus's HealthCheckResult). */
export class HealthOutput {
  @ApiProperty({
    enum: ['ok', 'degraded', 'error', 'shutting_down'],
    description:
      '`ok`: ready. `degraded` (200): the database is away but notifications are kept in the local spool; keep sending ' +
      'traffic. `error` (503): not ready. `shutting_down` (503): the process is stopping.',
    example: 'ok',
  })
  status: 'ok' | 'degraded' | 'error' | 'shutting_down';

  @ApiProperty({ ...CHECKS, description: 'The checks that are up.' })
  info: Record<string, HealthIndicatorOutput>;

  @ApiProperty({ ...CHECKS, description: 'The checks that are down.' })
  error: Record<string, HealthIndicatorOutput>;

  @ApiProperty({ ...CHECKS, description: 'Every check.' })
  details: Record<string, HealthIndicatorOutput>;
}
