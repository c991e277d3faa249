/**
 * The requested_at of a missed-notification poll (a `status` artifact the reconcile migration
 * introduced): before every notification, so that any notification's request takes it over.
 * The work queue writes such polls (for registration) and tells them from fetches in its claim,
 * and the backlog metrics leave them out: a shared fact of the artifacts table, so it lives
 * beside the database.
 */
export const RECONCILE_REQUESTED_AT = '1970-01-01T00:00:00Z';
