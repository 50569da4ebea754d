/**
 * The tombstone (grafsteen) of a message whose content was removed, as readers see it: when, on
 * which ground (`bewaartermijn` or `wissing`), under which rule in words, and the logboek record of
 * the removal. Pure: the stored reason (`berichten.verwijdering`, a `Verwijdering`) and the erasure
 * reasons of the policy in, the wire shape and a Dutch sentence out. Used by every read that meets a
 * tombstone (`GET /v1/berichten/{id}` answers 410 with it, lists show it in place of the content) and
 * by the refusals of a correction, withdrawal or resend of such a message.
 */
import type { Wisreden } from '../policy/types.js';
import { termijnTekst, type Verwijdering } from './termijnen.js';

/** What a read shows of a removed message's removal (`verwijderd` on the wire). */
export interface Grafsteen {
  /** When the content was removed. */
  op: string;
  grond: 'bewaartermijn' | 'wissing';
  /** Why, in Dutch: the terms that passed, or the erasure reason. */
  toelichting: string;
  /** The erasure reason code (policies/bewaring.json), for a `wissing`. */
  reden?: string;
  /** The logboek record of the removal. */
  logboek: number;
}

/** The tombstone of a stored row (`verwijderdOp` set); the reason JSON as written by the purge or the erasure. */
export function grafsteen(row: { verwijderdOp?: string | null; verwijdering?: string | null }, wisredenen: readonly Wisreden[]): Grafsteen {
  const v = JSON.parse(row.verwijdering ?? 'null') as Verwijdering | null;
  const op = row.verwijderdOp ?? '';
  if (v?.grond === 'wissing') {
    const naam = wisredenen.find((w) => w.code === v.reden)?.naam ?? v.reden;
    return { op, grond: 'wissing', reden: v.reden, logboek: v.logboek, toelichting: `Gewist op verzoek van de gemeente die het traject voert: ${naam} (${v.avg}).` };
  }
  const termijnen = v?.termijnen ?? [];
  const laatste = termijnen.map((t) => t.laatsteDag).filter((d): d is string => d !== null).sort().at(-1);
  return {
    op, grond: 'bewaartermijn', logboek: v?.logboek ?? 0,
    toelichting: `Verwijderd volgens de bewaartermijn: ${termijnen.map(termijnTekst).join(' en ') || 'de termijn van het register'}${laatste ? `; bewaard tot en met ${laatste}` : ''}.`,
  };
}

/** One Dutch sentence for a problem answer about a removed message. */
export function verwijderdTekst(berichtId: string, g: Grafsteen): string {
  return `De inhoud van bericht ${berichtId} is op ${g.op} verwijderd. ${g.toelichting} Bewaard zijn alleen het logboek en de kenmerken van het bericht (id, type, traject, data).`;
}
