import { ApiProperty } from '@nestjs/swagger';

/**
 * The answer to PUT /v1/sessions/{sessionId}: what the registrant registered, and nothing else.
 * Scope `register` reads nothing: the session's status, errors and artifacts are for `read`.
 */
export class RegistrationOutput {
  @ApiProperty({ description: "Suki's session id, as registered.", example: 'a953839a-ddcd-407d-b9b0-3ed4b6be4be2' })
  sessionId: string;

  @ApiProperty({
    description:
      'The encounter the session is expected under. Provisional: the first notification of the session itself decides, ' +
      'and moves the session when it names another encounter.',
    example: '4d753ce1-bbff-43e1-950a-82dea2d86873',
  })
  encounterId: string;

  @ApiProperty({
    enum: ['registered', 'known'],
    description: '`registered` (201): new, registered by this request. `known` (200): already known under this encounter.',
    example: 'registered',
  })
  registration: 'registered' | 'known';
}
