/** What the breaker (suki-breaker.ts) looks like from outside: for the `suki_breaker_state` gauge. */
export type BreakerState = 'closed' | 'half_open' | 'open';

/** What one call to Suki said about Suki as a whole. */
export type CallVerdict =
  /** Suki answered: any success, any permanent answer (a 404 is Suki up, saying no), and a 429 (up, asking us to slow down). */
  | 'answered'
  /** A network error, a timeout, a 5xx, a refused token: Suki may be down. */
  | 'transient';
