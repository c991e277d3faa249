/** Time as the service sees it; injected so that tolerance windows and backoff are testable. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
