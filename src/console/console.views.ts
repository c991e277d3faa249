/** The rows the console's pages show, as the repository reads them: identifiers, states and times. */

export interface OverviewCounts {
  received: number;
  rejected: number;
  failed: number;
  unresolved: number;
  reconciling: number;
  feedHeld: number;
  feedLagSeconds: number;
  backlog: Array<{ kind: string; pending: number; oldestAgeSeconds: number }>;
}

export interface SessionLine {
  sessionId: string;
  encounterId: string;
  status: string;
  source: string;
  vendorStatus: string | null;
  errorCode: string | null;
  errorDetail: string | null;
  lastEventAt: string | null;
  endedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryLine {
  receivedAt: string;
  generatedAt: string;
  vendorStatus: string | null;
  outcome: string;
  rejectReason: string | null;
}

export interface ArtifactLine {
  kind: string;
  encounterLevel: boolean;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  fetchedAt: string | null;
  reconcile: boolean;
  hasData: boolean;
  updatedAt: string;
}

export interface FeedEventLine {
  type: string;
  status: string | null;
  kind: string | null;
  occurredAt: string;
}

/** The waits of the last hour's notes, in seconds; p50 and p95 are null when there were none. */
export interface NoteWaits {
  notes: number;
  p50: number | null;
  p95: number | null;
}

/** One labelled figure of the overview: read as "Failed artifacts 3". */
export interface Figure {
  label: string;
  value: string;
  /** Draws the eye: something an operator should act on. */
  alert?: boolean;
}

/** How a session's outcome was learned, in words. */
export const SOURCE_WORDS: Record<string, string> = {
  notification: 'from its notification',
  status_check: "by asking Suki for the session's status",
  reconciled: 'by polling Suki after its notification never came',
  registered: 'not yet: registered by an internal system, nothing heard since',
};

/** "42 s", "3 min", "2 h 5 min", "3 d 4 h": ages at a glance. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "p50 1.2 s, p95 4.0 s over 37 notes (last hour)"; undefined when no note was ready in the hour. */
export function timeToNoteSummary(waits: NoteWaits): string | undefined {
  if (waits.notes === 0 || waits.p50 === null || waits.p95 === null) return undefined;
  const notes = waits.notes === 1 ? '1 note' : `${waits.notes} notes`;
  return `p50 ${formatWait(waits.p50)}, p95 ${formatWait(waits.p95)} over ${notes} (last hour)`;
}

/** Tenths of a second while a clinician might still be waiting at the screen, then as an age. */
function formatWait(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(1)} s` : formatAge(seconds);
}

/** A note's sections when it has Suki's note shape (`summary: [{title, content}]`), else undefined. */
export function noteSections(data: unknown): Array<{ title: string; content: string }> | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const summary = (data as { summary?: unknown }).summary;
  if (!Array.isArray(summary)) return undefined;
  const sections = summary.filter(
    (item): item is { title: string; content: string } =>
      typeof item === 'object' &&
      item !== null &&
      typeof (item as { title?: unknown }).title === 'string' &&
      typeof (item as { content?: unknown }).content === 'string',
  );
  return sections.length === summary.length ? sections.map(({ title, content }) => ({ title, content })) : undefined;
}
