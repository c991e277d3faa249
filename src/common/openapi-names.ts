/**
 * Names the OpenAPI document shares with the features that use them, kept here so that
 * openapi.ts (which builds the document) needs nothing from a feature folder.
 */

/** The security scheme of the internal bearer tokens (api/bearer.guard.ts checks them). */
export const BEARER_SCHEME = 'internal-token';

/** The extension that shows an operation's scopes (api/scopes.ts sets it; openapi.ts also names them in its description). */
export const SCOPES_EXTENSION = 'x-required-scopes';
