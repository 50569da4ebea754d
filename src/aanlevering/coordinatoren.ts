/**
 * The coordinators of a provider who use the upload pages (`/aanlevering/`) and the party each works
 * for. In the embedded demo these are demo users (password: the demo password) logging in through the
 * embedded provider; the logboek records their actions as their party, never by name — who it was goes
 * into the user audit trail (`gebruikersspoor`), linked by the trace id.
 *
 * Demo only: a production deployment needs its issuer to tell the employee's party (not built yet).
 */
export interface Coordinator {
  /** The `sub` of the employee's tokens. */
  id: string;
  naam: string;
  /** The provider the employee works for. */
  partij: string;
}

export const DEMO_COORDINATOREN: readonly Coordinator[] = [
  { id: 'co-roc', naam: 'Coördinator ROC van Twente (demo)', partij: 'roc-van-twente' },
  { id: 'co-taalschool', naam: 'Coördinator Taalschool Oost (demo)', partij: 'taalschool-oost' },
];
