import { isUsableId } from '../suki/vendor-id';

/**
 * Whether a path id could name a stored session or encounter. Intake refuses every id that
 * fails the same rule (src/suki/vendor-id.ts), so such an id is simply unknown (404) and never
 * reaches the database (PostgreSQL cannot even hold a NUL).
 */
export function isPossibleId(id: string): boolean {
  return isUsableId(id);
}
