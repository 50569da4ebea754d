/** Named errors of the policy concern. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(
    readonly file: string,
    readonly rule: string | null,
    message: string,
  ) {
    super(`${file}${rule ? ` (regel ${rule})` : ''}: ${message}`);
  }
}
