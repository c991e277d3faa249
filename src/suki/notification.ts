import type { SessionStatus } from '../generated/prisma/enums';
import { mapVendorStatus } from './status-mapping';
import { jsonProblem, MAX_DERIVED_DEPTH, storableText } from './storable-fields';
import { isUsableId } from './vendor-id';

/** A derived field that was not stored as sent (the raw body still holds it), and why. */
export interface UnstoredField {
  field: string;
  reason: string;
}

/** The fields of a Suki notification that the service uses; everything else is kept verbatim. */
export interface SukiNotification {
  sessionId: string;
  encounterId: string;
  vendorStatus?: string;
  /** Undefined when the vendor status is not one we recognise. */
  status?: SessionStatus;
  errorCode?: string;
  errorDetail?: string;
  additionalInfo?: unknown;
  /** `_links` as sent, to find the hrefs to fetch. */
  links?: Record<string, unknown>;
  /** `_links` as the session row keeps it: undefined when it cannot be stored. */
  storedLinks?: Record<string, unknown>;
  /** Session ids the notification names as belonging to its encounter, at most `maxKnownSessions`. */
  sessions: string[];
  /** Entries of `sessions` past the cap (other than repeats of kept ids), not made known; the raw body keeps them. */
  sessionsLeftOut: number;
  /** Derived fields left out or changed because they could not be stored as sent. */
  unstored: UnstoredField[];
}

export type ParsedNotification =
  { usable: true; notification: SukiNotification } | { usable: false; reason: string; vendorStatus?: string };

export interface ParseLimits {
  /** How many sessions of the `sessions` array one notification may make known. */
  maxKnownSessions: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxKnownSessions: 100 };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON escape of a UTF-16 surrogate (U+D800–U+DFFF): the only way valid UTF-8 text can carry one. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Whether a derived field of this body could hold what jsonProblem looks for; most cannot, and
 * skip its walk of every value (about 1 % of intake's CPU, and its garbage). The text is valid
 * UTF-8, so a lone surrogate needs an escape; and nesting past MAX_DERIVED_DEPTH needs that many
 * brackets on each side. A false yes (an escaped backslash before `ud800`, a paired surrogate
 * written as escapes) only costs the walk.
 */
function mayHoldUnstorable(text: string): boolean {
  return text.length > 2 * MAX_DERIVED_DEPTH || SURROGATE_ESCAPE.test(text);
}

/**
 * Reads an authenticated body. Tolerant with the vendor: unknown fields and statuses pass, and
 * optional fields of the wrong type are ignored. Only a body we cannot attribute to a session
 * (not JSON, or no usable session_id / encounter_id) is unusable. Ids are taken exactly as sent
 * or not at all (src/suki/vendor-id.ts).
 */
export function parseNotification(rawBody: Buffer, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParsedNotification {
  let body: unknown;
  let text: string;
  try {
    text = utf8.decode(rawBody);
    body = JSON.parse(text);
  } catch {
    return { usable: false, reason: 'body is not valid UTF-8 JSON' };
  }
  if (!isObject(body)) return { usable: false, reason: 'body is not a JSON object' };

  const unstored: UnstoredField[] = [];
  const checked = mayHoldUnstorable(text);
  const storable = (field: string, value: unknown) => (checked ? storableJson(field, value, unstored) : value);
  const textField = (field: string, value: string | undefined) => {
    const stored = storableText(value);
    if (stored.changed) unstored.push({ field, reason: 'unpaired surrogate replaced by U+FFFD' });
    return stored.value;
  };
  const vendorStatus = textField('status', typeof body.status === 'string' ? body.status.slice(0, 255) : undefined);
  if (!isUsableId(body.session_id)) return { usable: false, reason: 'session_id is missing or not a usable id', vendorStatus };
  if (!isUsableId(body.encounter_id)) return { usable: false, reason: 'encounter_id is missing or not a usable id', vendorStatus };

  const links = isObject(body._links) ? body._links : undefined;
  const { sessions, leftOut } = knownSessions(body.sessions, limits.maxKnownSessions);
  return {
    usable: true,
    notification: {
      sessionId: body.session_id,
      encounterId: body.encounter_id,
      vendorStatus,
      status: mapVendorStatus(body.status),
      errorCode: textField('error_code', optionalString(body.error_code)),
      errorDetail: textField('error_detail', optionalString(body.error_detail)),
      additionalInfo: storable('additional_info', body.additional_info ?? undefined),
      links,
      storedLinks: storable('_links', links) as Record<string, unknown> | undefined,
      sessions,
      sessionsLeftOut: leftOut,
      unstored,
    },
  };
}

/**
 * The first `cap` distinct usable ids of the `sessions` array. Each becomes a row, so one body
 * listing 100,000 ids must not become 100,000 inserts that stall intake for everyone else.
 */
function knownSessions(value: unknown, cap: number): { sessions: string[]; leftOut: number } {
  if (!Array.isArray(value)) return { sessions: [], leftOut: 0 };
  const kept = new Set<string>();
  let leftOut = 0;
  for (const id of value) {
    if (kept.size >= cap) {
      // Past the cap nothing is validated: counting the entries left out is all that is owed.
      if (typeof id !== 'string' || !kept.has(id)) leftOut += 1;
    } else if (isUsableId(id)) kept.add(id);
  }
  return { sessions: [...kept], leftOut };
}

function storableJson(field: string, value: unknown, unstored: UnstoredField[]): unknown {
  const problem = value === undefined ? undefined : jsonProblem(value);
  if (problem === undefined) return value;
  unstored.push({ field, reason: `${problem}; not stored` });
  return undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
