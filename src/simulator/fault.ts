/**
 * Faults the Suki API simulator plays so that a newcomer can watch retrieval retry:
 * `npm run notify -- success --suki-fault 503x3` puts `?suki_fault=503x3` on every href of the
 * notification, and the simulator answers each of those URLs 503 three times before it answers
 * as Suki would. The fault travels in the href itself, so it needs no control channel, no extra
 * secret and no shared state between the notify script and the service: it is visible in the
 * stored `_links`, and only the simulator (which exists only outside production) acts on it. A
 * real Suki ignores or refuses an unknown query parameter.
 *
 * Grammar: `<status>[x<times>]` with a status from 400 to 599, or `timeout[x<times>]` (no answer
 * at all, until the service's SUKI_REQUEST_TIMEOUT_MS ends the call); times from 1 to 100,
 * default 1. scripts/notify.js checks the same grammar before sending.
 */
export const FAULT_PARAM = 'suki_fault';

export type Fault = { kind: 'status'; status: number; times: number } | { kind: 'timeout'; times: number };

const FAULT = /^(?:([45]\d\d)|(timeout))(?:x(\d{1,3}))?$/;

export const FAULT_GRAMMAR = '<status 400-599 or timeout>[x<times 1-100>], e.g. 503x3, 429, timeoutx2';

/** The fault a `suki_fault` value asks for, or undefined when it is not one. */
export function parseFault(value: string): Fault | undefined {
  const match = FAULT.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const times = match[3] === undefined ? 1 : Number(match[3]);
  if (times < 1 || times > 100) return undefined;
  return match[2] ? { kind: 'timeout', times } : { kind: 'status', status: Number(match[1]), times };
}

/**
 * Counts the faulty answers given per URL (path and query), so each resource of a notification
 * fails `times` times and then succeeds, whichever order retrieval calls them in.
 */
export class FaultCounter {
  private readonly given = new Map<string, number>();

  /** Whether this call to `url` is to be answered with the fault (and counts it if so). */
  take(url: string, fault: Fault): boolean {
    const given = this.given.get(url) ?? 0;
    if (given >= fault.times) return false;
    this.given.set(url, given + 1);
    return true;
  }
}
