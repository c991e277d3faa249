import { BadRequestException, ConflictException, Controller, HttpCode, Param, Put, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, type AuditActor } from '../api/actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { ErrorOutput } from '../common/error.output';
import { JsonBody } from '../api/json-body';
import { ApiBadRequest, InternalApi } from '../api/query-docs';
import { isPossibleId } from '../api/query-params';
import { RequireScopes } from '../api/scopes';
import { parseRegistration, RegisterSessionInput } from './register-session.input';
import { RegistrationOutput } from './registration.output';
import { RegistrationRepository } from './registration.repository';

@ApiTags('sessions')
@InternalApi()
@Controller('v1/sessions')
export class RegistrationController {
  constructor(
    private readonly registrations: RegistrationRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  @Put(':sessionId')
  @RequireScopes('register')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Expect a session: reconcile it against Suki if its notification never arrives',
    description:
      'For internal systems that created or ended a session with Suki. Answers only what was registered (scope `register` ' +
      'reads nothing; the session view is GET /v1/sessions/{sessionId}, scope `read`). Idempotent: 201 when new, 200 when already known ' +
      '(an `endedAt` is recorded; nothing else changes). A registered session with no outcome is polled at Suki from ' +
      'RECONCILE_AFTER_MS after registration (or after `endedAt`) until Suki reports a final state or RECONCILE_HORIZON_MS passes.',
  })
  @ApiParam({ name: 'sessionId', description: "Suki's session id." })
  @ApiBody({ type: RegisterSessionInput })
  @ApiCreatedResponse({ type: RegistrationOutput, description: 'Registered (`registration: registered`).' })
  @ApiOkResponse({ type: RegistrationOutput, description: 'Already known under this encounter (`registration: known`).' })
  @ApiBadRequest('The body is not a JSON object, a field is malformed or unknown (named in the message), or the session id is unusable.')
  @ApiConflictResponse({ type: ErrorOutput, description: 'The session is known under another encounter; nothing changed.' })
  @ApiServiceUnavailableResponse({
    type: ErrorOutput,
    description: 'The audit could not be written; try again (registration is idempotent).',
  })
  async register(
    @Param('sessionId') sessionId: string,
    @JsonBody() body: Record<string, unknown>,
    @Actor() actor: AuditActor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RegistrationOutput> {
    if (!isPossibleId(sessionId))
      throw new BadRequestException('sessionId must be 1 to 255 characters without control or format characters, and not . or ..');
    const registration = parseRegistration(body, this.clock.now());
    if ('problem' in registration) throw new BadRequestException(registration.problem);
    const result = await this.registrations.register(sessionId, registration);
    if (typeof result === 'object') throw new ConflictException('the session is known under another encounter');
    await this.audit.record(actor, { action: 'session.register', sessionId, encounterId: registration.encounterId });
    response.status(result === 'created' ? 201 : 200);
    // Only what was registered: the session's status and errors are for clients with `read`.
    return { sessionId, encounterId: registration.encounterId, registration: result === 'created' ? 'registered' : 'known' };
  }
}
