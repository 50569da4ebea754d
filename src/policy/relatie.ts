/**
 * The relation rule, written once: a party stands in relation to a trajectory when it OWNS it (it is
 * the trajectory's gemeente) or is ACTIVELY ASSIGNED to it on a date (an assignment whose period
 * covers the date and that was not ended). The policy engine decides with the result; the store
 * adapters compute it with `relatieVan` (from rows) or filter with `relatieSql` (in a query): both
 * are translations of the same two conditions below, so SQLite and PostgreSQL cannot drift apart.
 */
import type { Doelgroep, Regime, Relatie, ToewijzingRol } from './types.js';

export interface ToewijzingPeriode {
  partij: string;
  rol: ToewijzingRol;
  vanaf: string;
  tot: string | null;
  beeindigdOp: string | null;
}

/** An assignment is active on `vandaag` (YYYY-MM-DD) when its period covers it and it was not ended. */
export function toewijzingActief(w: ToewijzingPeriode, vandaag: string): boolean {
  return w.vanaf <= vandaag && (w.tot === null || w.tot >= vandaag) && w.beeindigdOp === null;
}

/** A trajectory's regime and target group, which rules and the register may condition on. */
export interface Trajectkenmerken {
  regime: Regime;
  doelgroep: Doelgroep;
}

/** How `partij` stands to a trajectory owned by `gemeente`, given its assignments (and its regime and target group). */
export function relatieVan(gemeente: string, toewijzingen: readonly ToewijzingPeriode[], partij: string, vandaag: string, kenmerken?: Trajectkenmerken): Relatie {
  return {
    eigenaar: gemeente === partij,
    toewijzingen: toewijzingen.filter((w) => w.partij === partij && toewijzingActief(w, vandaag)).map((w) => w.rol),
    ...(kenmerken ? { regime: kenmerken.regime, doelgroep: kenmerken.doelgroep } : {}),
  };
}

/**
 * The same rule as an SQL condition on the trajectory id in `trajectKolom`, for queries that filter
 * many rows (the feed). Placeholders are given by the adapter (`@partij` on SQLite, `$2` on PostgreSQL);
 * identifiers are unquoted (SQLite matches them without regard to case, PostgreSQL folds them to the
 * lower-case names its tables use), so the one text works on both.
 */
export function relatieSql(trajectKolom: string, partij: string, vandaag: string): string {
  return `(EXISTS (SELECT 1 FROM trajecten t WHERE t.trajectId = ${trajectKolom} AND t.gemeente = ${partij})
       OR EXISTS (SELECT 1 FROM toewijzingen w
                  WHERE w.trajectId = ${trajectKolom} AND w.partij = ${partij}
                    AND w.vanaf <= ${vandaag} AND (w.tot IS NULL OR w.tot >= ${vandaag}) AND w.beeindigdOp IS NULL))`;
}

/**
 * The parties that may ever stand in relation to the trajectory in `trajectId`: its gemeente and every
 * party with an assignment on it, of any period, ended or not (a superset of the relation on any day).
 * The per-party feed index (`berichten_feed`, issue 14) holds one row per message for each of them,
 * so a party's feed walks its own rows instead of every party's messages; the feed still checks
 * `relatieSql` per row, so the index only narrows what is looked at, never widens what is shown.
 * A result column `partij`; the same text on both adapters.
 */
export function relatieKandidatenSql(trajectId: string): string {
  return `SELECT gemeente AS partij FROM trajecten WHERE trajectId = ${trajectId}
          UNION SELECT partij FROM toewijzingen WHERE trajectId = ${trajectId}`;
}
