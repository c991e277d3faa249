import { Controller, Get, HttpStatus, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { SpoolStore } from '../spool/spool.store';
import { ErrorOutput } from '../common/error.output';
import { ShutdownSignal } from '../common/shutdown-signal';
import { DatabaseHealthIndicator } from './database.health';
import { HealthIndicatorOutput, HealthOutput } from './health.output';

@ApiTags('operations')
@ApiExtraModels(HealthIndicatorOutput)
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly spool: SpoolStore,
    private readonly shutdown: ShutdownSignal,
  ) {}

  /** The process answers. Deliberately checks nothing else: a database outage is not a reason to restart. */
  @Get('live')
  // Documented below, with the `degraded` status terminus's own schema does not know.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process answers', security: [] })
  @ApiOkResponse({ type: HealthOutput, description: 'The process is up (`status` is `ok`, no checks).' })
  @ApiServiceUnavailableResponse({ type: ErrorOutput, description: 'The process is shutting down.' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Database reachable and every migration applied: 200 `ok`. The database away but the local
   * spool with room: 200 `degraded` — notifications are still made durable, so the load balancer
   * must keep sending them here. Neither: 503 with the details. Spooling while the spool's
   * writes fail (a full disk): 503 at once. From SIGTERM on: 503 `shutting_down` at once, while
   * the listener still serves for SHUTDOWN_DRAIN_DELAY_MS, so the load balancer moves traffic
   * away before the port closes.
   */
  @Get('ready')
  // Documented below, with the `degraded` status terminus's own schema does not know.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the database is reachable and every migration is applied', security: [] })
  @ApiOkResponse({
    type: HealthOutput,
    description: 'Ready to serve (`ok`), or `degraded`: the database is away and notifications go to the local spool.',
  })
  @ApiServiceUnavailableResponse({
    type: HealthOutput,
    description:
      'Not ready: the database is unreachable and the spool full or failing to write, migrations are pending, or the process is stopping.',
  })
  async ready(@Res({ passthrough: true }) response: Response): Promise<unknown> {
    if (this.shutdown.stopping) {
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'shutting_down', info: {}, error: {}, details: {} };
    }
    if (this.spool.spooling && !this.spool.writable) {
      // Readiness follows the spool's last write, not only its counters: a full disk refuses what
      // the byte limit would still allow. Answered at once, like `degraded`, without the database.
      const { records, bytes } = this.spool.depth();
      const spool = { status: 'down' as const, spooling: true, message: 'spool writes fail', records, bytes };
      this.logger.warn('not ready: spool down');
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'error', info: {}, error: { spool }, details: { spool } };
    }
    if (this.spool.spooling && this.spool.hasRoom()) {
      // Intake has already found the database away (the drainer probes it and ends spooling):
      // answer at once rather than spend the 3 s check timeout on a hung database, which would
      // outlast a kubelet's probe timeout and take a replica that still accepts notes out.
      const { records, bytes } = this.spool.depth();
      const spool = { status: 'up', spooling: true, records, bytes };
      return { status: 'degraded', info: { spool }, error: {}, details: { spool } };
    }
    try {
      return await this.health.check([() => this.database.reachable('database'), () => this.database.migrated('migrations')]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // The exception filter would flatten terminus's details into a message; operators want them.
      const result = error.getResponse() as HealthCheckResult;
      const { records, bytes } = this.spool.depth();
      // Only for a database that is away: one that answers with migrations pending (a rollout
      // under way) still takes this replica out, as before.
      if (result.error?.database && this.spool.hasRoom()) {
        const spool = { status: 'up', records, bytes };
        return { ...result, status: 'degraded', info: { ...result.info, spool }, details: { ...result.details, spool } };
      }
      if (result.error?.database) {
        const spool = { status: 'down' as const, records, bytes, ...(this.spool.writable ? {} : { message: 'spool writes fail' }) };
        result.error = { ...result.error, spool };
        result.details = { ...result.details, spool };
      }
      this.logger.warn(`not ready: ${Object.keys(result.error ?? {}).join(', ')} down`);
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return result;
    }
  }
}
