/** Named errors of the auth concern. Each carries a stable code (also the audit rule) and a Dutch reason. */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    /** `token-ontbreekt`, `token-ongeldig`, `token-verlopen`, `token-in-query`, … */
    readonly code: string,
    /** Dutch, for the caller and the audit record. Never contains the token. */
    readonly reden: string,
  ) {
    super(reden);
  }
}

export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError';
}
