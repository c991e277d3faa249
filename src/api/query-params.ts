import { BadRequestException } from '@nestjs/common';
import { isDotSegment, isUsableId } from '../suki/vendor-id';

/**
 * Whether a path id could name a stored session or encounter. Intake refuses every id that
 * fails the same rule (src/suki/vendor-id.ts), so such an id is simply unknown (404) and never
 * reaches the database (PostgreSQL cannot even hold a NUL).
 */
export function isPossibleId(id: string): boolean {
  return isUsableId(id);
}

/**
 * A path id of `.` or `..` (sent escaped as %2E) is refused outright (400) rather than looked up: it is
 * never an id, only an attempt to make a path mean another one.
 */
export function refuseDotSegment(name: string, id: string): void {
  if (isDotSegment(id)) throw new BadRequestException(`${name} must not be . or ..`);
}
