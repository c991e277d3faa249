import type { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { FeedPosition } from './event-cursor';
import { FeedScan } from './event-page';

/** One event of the feed as read from the database: what GET /v1/events serves and push delivers. */
export interface StoredEvent {
  at: FeedPosition;
  type: string;
  occurredAt: string;
  sessionId: string | null;
  encounterId: string | null;
  status: SessionStatus | null;
  kind: ArtifactKind | null;
  previousEncounterId: string | null;
  subscriptionId: string | null;
}

export interface FeedRead extends FeedScan<StoredEvent> {
  /** Committed events wait behind an older transaction still open: worth looking again soon. */
  held: boolean;
}
