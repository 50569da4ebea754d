/**
 * The employees who use the klantmanager's pages (`/werk`) and the party each works for. In the
 * embedded demo these are the demo users below (password: the demo password), logging in through the
 * embedded provider; the logboek records their actions as their party, never by name — who it was
 * goes into the user audit trail (`gebruikersspoor`), linked by the trace id.
 *
 * Demo only: a production deployment needs its issuer to tell the employee's party (not built yet).
 */
export interface Medewerker {
  /** The `sub` of the employee's tokens. */
  id: string;
  naam: string;
  /** The gemeente the employee works for. */
  partij: string;
}

export const DEMO_KLANTMANAGERS: readonly Medewerker[] = [
  { id: 'km-hengelo', naam: 'Klantmanager Hengelo (demo)', partij: 'gemeente-hengelo' },
];
