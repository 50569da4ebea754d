/**
 * Owns the write side of issue 10 inside a transaction: folding a just-stored message into the
 * trajectory's state (`src/stand`), evaluating the signal rules (`src/signalen`) and storing their
 * decisions — all in the caller's transaction, so the message, its audit record, the new state and
 * the signals commit together or not at all. The domain decisions are the pure functions; this module
 * only reads the rows they need and writes what they return. Issue 13: the message's monitoring facts
 * (`monitoring/feiten.ts`) are written in the same transaction, and rebuilt with the state when a
 * correction or withdrawal changes which messages count.
 *
 * Guarantees:
 * - Incremental: one state row read (locked for update on PostgreSQL) and written per message; the
 *   history is replayed only when the trajectory has no state row yet (a database from before this
 *   table) or the row has another `STAND_VERSIE` — once, then never again.
 * - One open signal per kind (per provider): the evaluator respects it and the database enforces it.
 * - The scheduler's evaluation (`evalueerOpTijd`) takes the same state row lock, so it cannot
 *   interleave with a publish about the same trajectory.
 */
import { applyBericht, applyVerwijderd, emptyStand, STAND_VERSIE, type Bericht, type Stand } from '../stand/index.js';
import { feitenUitBericht, isLeeg } from '../monitoring/feiten.js';
import { evaluateSignalen, type SignaalBesluit, type Signaalregel } from '../signalen/index.js';
import type { BerichtRow, Tx } from '../store/store.js';
import { versieSleutel } from '../store/versie-store.js';

/** The types the state and the monitoring facts are derived from (the state ignores `knelpunt`; its facts are the barriers). */
const TYPEN = ['aanwezigheid', 'taalvoortgang', 'plaatsing', 'knelpunt'];
const REPLAY_PAGINA = 500;

function alsBericht(row: Pick<BerichtRow, 'berichtId' | 'berichttype' | 'afzender' | 'ontvangenOp' | 'inhoud'>): Bericht {
  return { berichtId: row.berichtId, berichttype: row.berichttype, afzender: row.afzender, ontvangenOp: row.ontvangenOp, inhoud: JSON.parse(row.inhoud) } as Bericht;
}

type Opgeslagen = Pick<BerichtRow, 'berichtId' | 'berichttype' | 'trajectId' | 'afzender' | 'gebeurtenisTijdstip' | 'ontvangenOp' | 'inhoud'>;

/**
 * The state of a trajectory as stored, or rebuilt from its messages when there is none of this version
 * (or `herbouwen`); `perBericht` sees every message that still counts, oldest first, when it is rebuilt.
 */
async function huidigeStand(tx: Tx, trajectId: string, vandaag: string, herbouwen = false, perBericht?: (b: BerichtRow) => Promise<void>): Promise<Stand> {
  const row = await tx.trajectstand(trajectId, true);
  if (!herbouwen && row && row.versie === STAND_VERSIE) return JSON.parse(row.stand) as Stand;
  const traject = await tx.traject(trajectId);
  let stand = emptyStand();
  if (!traject) return stand;
  // The owner stands in relation to every message of its trajectory: its feed is the whole history.
  for (let na = 0; ;) {
    const page = await tx.berichten({ partij: traject.gemeente, vandaag, berichttypen: TYPEN, trajectId, na, limit: REPLAY_PAGINA });
    // Replaced and withdrawn messages (issue 11) no longer count: only the latest version is folded in.
    // A message whose content was removed (issue 13) adds only what its tombstone says: sender, type, time.
    const vervallen = await tx.vervallenBerichten(page.map((b) => ({ afzender: b.afzender, berichtId: b.berichtId })));
    for (const b of page) {
      if (vervallen.has(versieSleutel(b.afzender, b.berichtId))) continue;
      if (b.verwijderdOp) stand = applyVerwijderd(stand, b); // a tombstone counts for nothing in the monitoring facts either
      else {
        stand = applyBericht(stand, alsBericht(b));
        await perBericht?.(b);
      }
    }
    if (page.length < REPLAY_PAGINA) break;
    na = page.at(-1)!.volgnummer;
  }
  return stand;
}

async function bewaar(tx: Tx, trajectId: string, stand: Stand, tijdstip: string, besluiten: readonly SignaalBesluit[]): Promise<void> {
  await tx.bewaarTrajectstand({ trajectId, stand: JSON.stringify(stand), versie: STAND_VERSIE, bijgewerktOp: tijdstip });
  // Closing first: a close and an open of the same kind in one evaluation must not meet in the unique index.
  const volgorde = { sluiten: 0, bijwerken: 1, openen: 2 } as const;
  for (const b of [...besluiten].sort((x, y) => volgorde[x.actie] - volgorde[y.actie])) await tx.bewaarSignaal(b.signaal);
}

/** Rebuild the state from the messages that still count, and the monitoring facts from the same messages in the same pass. */
async function herbouwMetFeiten(tx: Tx, trajectId: string, vandaag: string): Promise<Stand> {
  await tx.wisMonitoringFeiten(trajectId);
  return huidigeStand(tx, trajectId, vandaag, true, async (b) => {
    const feiten = feitenUitBericht(b);
    if (!isLeeg(feiten)) await tx.bewaarMonitoringFeiten(feiten);
  });
}

export interface Verwerking {
  regels: readonly Signaalregel[];
  /** `YYYY-MM-DD` today (Dutch date), for replaying through the owner's feed. */
  vandaag: string;
}

/** In the publish transaction, after `insertBericht`: the state and the signals follow the message. */
export async function verwerkBericht(tx: Tx, v: Verwerking, row: Opgeslagen): Promise<SignaalBesluit[]> {
  const bericht = alsBericht(row);
  const feiten = feitenUitBericht(row);
  if (!isLeeg(feiten)) await tx.bewaarMonitoringFeiten(feiten);
  const stand = applyBericht(await huidigeStand(tx, row.trajectId, v.vandaag), bericht);
  const besluiten = evaluateSignalen(stand, v.regels, {
    trajectId: row.trajectId, now: row.ontvangenOp, toewijzingen: await tx.toewijzingen(row.trajectId), openSignalen: await tx.openSignalen([row.trajectId]), bericht,
  });
  await bewaar(tx, row.trajectId, stand, row.ontvangenOp, besluiten);
  return besluiten;
}

/**
 * In the transaction of a correction (after `insertBericht` and `vervangBericht`, with the correcting
 * `row`) or a withdrawal (no row): the state is rebuilt from the messages that still count, so the
 * replaced or withdrawn message drops out whatever period it named, and the signals follow that state.
 * The monitoring facts are rebuilt from the same messages in the same pass.
 */
export async function verwerkVersiewijziging(tx: Tx, v: Verwerking, trajectId: string, now: string, row?: Opgeslagen): Promise<SignaalBesluit[]> {
  const stand = await herbouwMetFeiten(tx, trajectId, v.vandaag);
  const besluiten = evaluateSignalen(stand, v.regels, {
    trajectId, now, toewijzingen: await tx.toewijzingen(trajectId), openSignalen: await tx.openSignalen([trajectId]), ...(row ? { bericht: alsBericht(row) } : {}),
  });
  await bewaar(tx, trajectId, stand, now, besluiten);
  return besluiten;
}

/** The scheduler's evaluation of one trajectory at `now` (no message): raises and clears time-based signals. */
export async function evalueerOpTijd(tx: Tx, v: Verwerking, trajectId: string, now: string): Promise<SignaalBesluit[]> {
  const stand = await huidigeStand(tx, trajectId, v.vandaag);
  const besluiten = evaluateSignalen(stand, v.regels, { trajectId, now, toewijzingen: await tx.toewijzingen(trajectId), openSignalen: await tx.openSignalen([trajectId]) });
  if (besluiten.length === 0) return besluiten;
  await bewaar(tx, trajectId, stand, now, besluiten);
  return besluiten;
}

/**
 * In the transaction that removed the content of messages of a trajectory (retention or erasure,
 * docs/bewaring.md; `verwijderd`: their ids): the state is rebuilt from the content that is left (a
 * removed message adds only its sender, type and time), and the signals that were derived from removed
 * content alone are deleted — all of the trajectory's signals once none of its content is left. No
 * signal is evaluated (nothing new happened), so no event goes out. Returns how many signals went.
 */
export async function verwerkVerwijdering(tx: Tx, v: Pick<Verwerking, 'vandaag'>, trajectId: string, now: string, verwijderd: ReadonlySet<string>): Promise<number> {
  // The monitoring facts follow too: a removed message no longer counts in any figure or CBS delivery.
  const stand = await herbouwMetFeiten(tx, trajectId, v.vandaag);
  await tx.bewaarTrajectstand({ trajectId, stand: JSON.stringify(stand), versie: STAND_VERSIE, bijgewerktOp: now });
  const { bewaard } = await tx.inhoudTelling(trajectId);
  const signalen = await tx.signalenVanTraject(trajectId);
  const weg = signalen.filter((s) => bewaard === 0 || (s.berichtIds.length > 0 && s.berichtIds.every((id) => verwijderd.has(id))));
  return tx.verwijderSignalen(weg.map((s) => s.signaalId));
}
