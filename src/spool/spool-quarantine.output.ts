import { ApiProperty } from '@nestjs/swagger';

/** One quarantined notification as the operator sees it: identifiers and why, never its content. */
export class QuarantinedNotificationOutput {
  @ApiProperty({ description: 'Its arrival number (its place in arrival order), as a decimal string.', example: '1796290947998004' })
  arrival: string;

  @ApiProperty({ type: String, nullable: true, description: "The body's session_id; null when the body has none." })
  sessionId: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the notification was received (UTC).' })
  receivedAt: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was set aside (UTC).' })
  quarantinedAt: string;

  @ApiProperty({ description: 'How many times the database refused it before it was set aside.', example: 5 })
  tries: number;

  @ApiProperty({ description: "The last refusal's error name and code (never its message).", example: 'DriverAdapterError P0001' })
  reason: string;

  @ApiProperty({ description: 'Bytes of its body.', example: 1210 })
  bytes: number;
}

export class QuarantineOutput {
  @ApiProperty({ type: [QuarantinedNotificationOutput], description: 'Every quarantined notification, in arrival order.' })
  items: QuarantinedNotificationOutput[];
}

export class QuarantineRetryOutput {
  @ApiProperty({ description: 'How many quarantined notifications were put back in the spool to drain.', example: 1 })
  retried: number;
}
