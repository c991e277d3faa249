import { ApiProperty } from '@nestjs/swagger';
import { ErrorBody } from './http-error';

/** The documented form of ErrorBody, the one error body every endpoint answers with. */
export class ErrorOutput implements ErrorBody {
  @ApiProperty({ type: 'integer', example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'Not Found', description: 'The HTTP reason phrase of statusCode.' })
  error: string;

  @ApiProperty({
    example: 'session not found',
    description: 'What was wrong, naming the offending parameter where there is one. Never carries secrets or payload content.',
  })
  message: string;
}
