/**
 * Owns the outbox side of notifications: for a message just stored, or a signal just opened or
 * updated, ONE content-free CloudEvent per subscription whose party may read it — decided by the
 * same policy as a read, on that trajectory, at that moment (relation, assignment period, consent) —
 * written in the caller's transaction, so an event exists exactly when its message or signal does.
 *
 * Guarantees:
 * - No event for a party without a readable doel on the trajectory (or whose assignment ended, or
 *   whose consent was withdrawn); the doel found is the one in `dataref` and in the delivery record.
 * - Events hold ids and the type or kind only (`serializeEvent` refuses anything else).
 * - Closing a signal produces no event (only `geopend` and `bijgewerkt` exist).
 */
import crypto from 'node:crypto';
import { berichtOntvangenEvent, serializeEvent, signaalEvent, type BerichtWijziging } from '../meldingen/index.js';
import type { PolicyEngine } from '../policy/engine.js';
import { GEEN_RELATIE, type Doel, type Partij, type Relatie } from '../policy/types.js';
import { mayReadSignaal, type SignaalBesluit, type Signaalregel } from '../signalen/index.js';
import type { AbonnementRow } from '../store/signaal-store.js';
import type { BerichtRow, Tx } from '../store/store.js';

export interface UitgaandContext {
  policy: PolicyEngine;
  regels: readonly Signaalregel[];
  /** The gateway's base URI (the events' `source`). */
  bron: string;
  /** `YYYY-MM-DD` (Dutch date) for assignment periods. */
  vandaag: string;
  /** The moment of the event (ISO). */
  tijdstip: string;
}

/** The first doel under which `partij` may read a message of this type on this trajectory now, or null. */
async function leesdoelVoorBericht(tx: Tx, c: UitgaandContext, partij: Partij, relatie: Relatie, trajectId: string, berichttype: string): Promise<Doel | null> {
  if (!relatie.eigenaar && relatie.toewijzingen.length === 0) return null;
  for (const doel of c.policy.set.doelen) {
    if (doel.alleenGeaggregeerd || !c.policy.leesbareTypen(partij.rol, doel.id).includes(berichttype)) continue;
    const toestemmingen = doel.toestemmingVereist ? await tx.toestemmingen(trajectId, { ontvanger: partij.id, doel: doel.id }) : undefined;
    const besluit = c.policy.decide({ partij, actie: 'lezen', berichttype, doel: doel.id, relatie, toestemmingen, moment: { tijdstip: c.tijdstip, datum: c.vandaag } });
    if (besluit.toegestaan) return doel;
  }
  return null;
}

async function schrijf(tx: Tx, ab: AbonnementRow, trajectId: string, doel: string, event: Parameters<typeof serializeEvent>[0], tijdstip: string): Promise<void> {
  await tx.insertUitgaand({ abonnementId: ab.abonnementId, eventId: event.id, event: serializeEvent(event), trajectId, doel, volgendePogingOp: tijdstip });
}

/** In the publish transaction: an event per subscription whose party may read this message. Returns how many. */
export async function uitgaandVoorBericht(tx: Tx, c: UitgaandContext, row: Pick<BerichtRow, 'berichtId' | 'berichttype' | 'trajectId'>,
  wijziging: BerichtWijziging = 'ontvangen'): Promise<number> {
  let n = 0;
  const relaties = new Map<string, Relatie>();
  for (const ab of await tx.abonnementenVoor('bericht')) {
    if (ab.berichttypen && !ab.berichttypen.includes(row.berichttype)) continue;
    const partij = c.policy.partij(ab.partij);
    if (!partij) continue;
    let relatie = relaties.get(partij.id);
    if (!relatie) relaties.set(partij.id, (relatie = (await tx.relatie(row.trajectId, partij.id, c.vandaag)) ?? GEEN_RELATIE));
    const doel = await leesdoelVoorBericht(tx, c, partij, relatie, row.trajectId, row.berichttype);
    if (!doel) continue;
    const event = berichtOntvangenEvent({ id: crypto.randomUUID(), bron: c.bron, tijdstip: c.tijdstip, trajectId: row.trajectId, doel: doel.id, berichtId: row.berichtId, berichttype: row.berichttype, wijziging });
    await schrijf(tx, ab, row.trajectId, doel.id, event, c.tijdstip);
    n++;
  }
  return n;
}

/** In the transaction that opened or updated signals: an event per subscription whose party may read each. Returns how many. */
export async function uitgaandVoorSignalen(tx: Tx, c: UitgaandContext, besluiten: readonly SignaalBesluit[]): Promise<number> {
  const relevant = besluiten.filter((b) => b.actie !== 'sluiten');
  if (relevant.length === 0) return 0;
  let n = 0;
  const abonnementen = await tx.abonnementenVoor('signaal');
  for (const ab of abonnementen) {
    const partij = c.policy.partij(ab.partij);
    if (!partij) continue;
    for (const b of relevant) {
      const regel = c.regels.find((r) => r.id === b.signaal.soort);
      if (!regel) continue;
      const relatie = (await tx.relatie(b.signaal.trajectId, partij.id, c.vandaag)) ?? GEEN_RELATIE;
      const doel = relatie.eigenaar ? regel.doel : regel.aanbieders?.doel;
      if (!doel || !mayReadSignaal(regel, b.signaal, { partij: partij.id, eigenaar: relatie.eigenaar, toewijzingen: relatie.toewijzingen, doel })) continue;
      const event = signaalEvent({
        id: crypto.randomUUID(), bron: c.bron, tijdstip: c.tijdstip, trajectId: b.signaal.trajectId, doel, signaalId: b.signaal.signaalId, soort: b.signaal.soort,
        wijziging: b.actie === 'openen' ? 'geopend' : 'bijgewerkt',
      });
      await schrijf(tx, ab, b.signaal.trajectId, doel, event, c.tijdstip);
      n++;
    }
  }
  return n;
}
