import { SessionStatus } from '../generated/prisma/enums';
import { mapVendorStatus } from './status-mapping';

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
  links?: Record<string, unknown>;
  /** Session ids the notification names as belonging to its encounter. */
  sessions: string[];
}

export type ParsedNotification =
  { usable: true; notification: SukiNotification } | { usable: false; reason: string; vendorStatus?: string };

const MAX_ID_LENGTH = 255;
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are rejected
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads an authenticated body. Tolerant with the vendor: unknown fields and statuses pass, and
 * optional fields of the wrong type are ignored. Only a body we cannot attribute to a session
 * (not JSON, or no usable session_id / encounter_id) is unusable.
 */
export function parseNotification(rawBody: Buffer): ParsedNotification {
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(rawBody));
  } catch {
    return { usable: false, reason: 'body is not valid UTF-8 JSON' };
  }
  if (!isObject(body)) return { usable: false, reason: 'body is not a JSON object' };

  const vendorStatus = typeof body.status === 'string' ? body.status.slice(0, 255) : undefined;
  const sessionId = usableId(body.session_id);
  const encounterId = usableId(body.encounter_id);
  if (!sessionId) return { usable: false, reason: 'session_id is missing or not a usable id', vendorStatus };
  if (!encounterId) return { usable: false, reason: 'encounter_id is missing or not a usable id', vendorStatus };

  return {
    usable: true,
    notification: {
      sessionId,
      encounterId,
      vendorStatus,
      status: mapVendorStatus(body.status),
      errorCode: optionalString(body.error_code),
      errorDetail: optionalString(body.error_detail),
      additionalInfo: body.additional_info ?? undefined,
      links: isObject(body._links) ? body._links : undefined,
      sessions: Array.isArray(body.sessions)
        ? [...new Set(body.sessions.map(usableId).filter((id): id is string => id !== undefined))]
        : [],
    },
  };
}

function usableId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.trim();
  // A lone surrogate cannot be stored as text; such an id is as unusable as a control character.
  return id.length > 0 && id.length <= MAX_ID_LENGTH && !CONTROL_CHARACTERS.test(id) && id.isWellFormed() ? id : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
