/**
 * The employees who use the gemeente's task pages (`/werk`), the party each works for and the tasks
 * each may do there: the klantmanager's worklist, the beleidsmedewerker's quarterly figures (issue 13).
 * In the embedded demo these are the demo users below (password: the demo password), logging in through
 * the embedded provider; the logboek records their actions as their party, never by name — who it was
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
  /** What the employee does on the pages: `werklijst` (signals, a trajectory's state) or `monitoring` (aggregated figures only). */
  taken: ReadonlyArray<'werklijst' | 'monitoring'>;
}

export const DEMO_KLANTMANAGERS: readonly Medewerker[] = [
  { id: 'km-hengelo', naam: 'Klantmanager Hengelo (demo)', partij: 'gemeente-hengelo', taken: ['werklijst'] },
];

/** Issue 13: a beleidsmedewerker sees the quarterly figures — totals only — and never a trajectory. */
export const DEMO_BELEIDSMEDEWERKERS: readonly Medewerker[] = [
  { id: 'bm-hengelo', naam: 'Beleidsmedewerker Hengelo (demo)', partij: 'gemeente-hengelo', taken: ['monitoring'] },
];

export const DEMO_MEDEWERKERS: readonly Medewerker[] = [...DEMO_KLANTMANAGERS, ...DEMO_BELEIDSMEDEWERKERS];
