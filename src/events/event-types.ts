import { SessionStatus } from '../generated/prisma/enums';

/** Every type the feed carries (see the change_feed migration for what writes each). */
export const EVENT_TYPES: readonly string[] = [
  ...Object.values(SessionStatus).map((status) => `session.${status}`),
  'session.results_ready',
  // A session moved to the encounter its own notification names (encounter_binding migration).
  'session.encounter_changed',
  'artifact.ready',
  'artifact.failed',
  'subscription.disabled',
];

/** `types=a,b` as a list, or a message naming what is wrong with it. */
export function readTypes(types: string | undefined): { types?: string[] } | { problem: string } {
  if (types === undefined) return {};
  const items = types.split(',').map((item) => item.trim());
  const unknown = items.filter((item) => !EVENT_TYPES.includes(item));
  if (unknown.length > 0 || items.length === 0) {
    return { problem: `types must be a comma-separated list of: ${EVENT_TYPES.join(', ')}` };
  }
  return { types: [...new Set(items)] };
}
