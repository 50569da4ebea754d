/**
 * The storage side of corrections and withdrawals (issue 11): which version of a message a stored
 * message is, which message replaced it, and whether its sender withdrew it. Kept beside the
 * `berichten` table (which stays write-once) in `bericht_versies`, one row per message that took part
 * in a correction or a withdrawal; a message without a row is version 1, current and not withdrawn.
 * `Tx` extends `VersieTx`; both adapters' statements live here and the contract suite
 * (`test/store/contract.ts`) proves the same behaviour on SQLite and PostgreSQL.
 *
 * Guarantees every adapter gives:
 * - `vervangBericht` marks the replaced message only when it is still current (not replaced, not
 *   withdrawn) and returns false otherwise, so two corrections of one message cannot both win.
 * - `trekBerichtIn` marks a current message withdrawn once; it returns false for one already
 *   replaced or withdrawn.
 * - `vervallenBerichten` names, of the given ids, the messages that no longer count (replaced or
 *   withdrawn) — for the feed, the state replay and the placement status check.
 * - `geldigePlaatsingen` and `huidigPeriodebericht` never return a message whose content was removed
 *   (issue 13, docs/bewaring.md): without its content it says nothing about a status or a period.
 */
import type Database from 'better-sqlite3';
import type { BerichtRow } from './store.js';

/** The version facts of one message (sender + berichtId). */
export interface BerichtVersieRow {
  afzender: string;
  berichtId: string;
  /** 1 for a first message, one more than the replaced message's for a correction. */
  versie: number;
  vervangt: string | null;
  vervangenDoor: string | null;
  ingetrokkenOp: string | null;
  intrekkingReden: string | null;
}

export interface VersieTx {
  /** The version rows of these messages of one sender (messages without a row are absent). */
  berichtVersies(afzender: string, berichtIds: readonly string[]): Promise<BerichtVersieRow[]>;
  /** Record that `nieuw` (already inserted) replaces `oud`; false when `oud` is no longer current. */
  vervangBericht(afzender: string, oud: string, nieuw: string, versie: number): Promise<boolean>;
  /** Withdraw a current message; false when it was already replaced or withdrawn. */
  trekBerichtIn(afzender: string, berichtId: string, op: string, reden: string): Promise<boolean>;
  /** Of these (sender, id) pairs, the keys `afzender berichtId` of messages that no longer count. */
  vervallenBerichten(sleutels: readonly { afzender: string; berichtId: string }[]): Promise<Set<string>>;
  /** The messages of one sender about one placement that still count, newest first (the status check's history). */
  geldigePlaatsingen(trajectId: string, afzender: string, plaatsingId: string): Promise<BerichtRow[]>;
  /** The sender's latest counting `aanwezigheid` message about exactly this period (the CSV's idempotency key). */
  huidigPeriodebericht(afzender: string, trajectId: string, van: string, tot: string): Promise<BerichtRow | undefined>;
}

export const versieSleutel = (afzender: string, berichtId: string) => `${afzender} ${berichtId}`;

const KOLOMMEN = 'afzender, berichtId, versie, vervangt, vervangenDoor, ingetrokkenOp, intrekkingReden';

export function sqliteVersieTx(db: Database.Database): VersieTx {
  const st = {
    versies: db.prepare(`SELECT ${KOLOMMEN} FROM bericht_versies WHERE afzender = ? AND berichtId IN (SELECT value FROM json_each(?))`),
    zorgVoor: db.prepare('INSERT OR IGNORE INTO bericht_versies (afzender, berichtId, versie) VALUES (?, ?, ?)'),
    markeer: db.prepare('UPDATE bericht_versies SET vervangenDoor = ? WHERE afzender = ? AND berichtId = ? AND vervangenDoor IS NULL AND ingetrokkenOp IS NULL'),
    nieuw: db.prepare('INSERT INTO bericht_versies (afzender, berichtId, versie, vervangt) VALUES (?, ?, ?, ?)'),
    trekIn: db.prepare('UPDATE bericht_versies SET ingetrokkenOp = ?, intrekkingReden = ? WHERE afzender = ? AND berichtId = ? AND vervangenDoor IS NULL AND ingetrokkenOp IS NULL'),
    plaatsingen: db.prepare(
      `SELECT b.* FROM berichten b
       WHERE b.berichttype = 'plaatsing' AND b.trajectId = ? AND b.afzender = ? AND json_extract(b.inhoud, '$.plaatsingId') = ?
         AND b.verwijderdOp IS NULL
         AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId
                           AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL))
       ORDER BY b.volgnummer DESC`,
    ),
    periode: db.prepare(
      `SELECT b.* FROM berichten b
       WHERE b.berichttype = 'aanwezigheid' AND b.trajectId = ? AND b.afzender = ?
         AND json_extract(b.inhoud, '$.periode.van') = ? AND json_extract(b.inhoud, '$.periode.tot') = ?
         AND b.verwijderdOp IS NULL
         AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId
                           AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL))
       ORDER BY b.volgnummer DESC LIMIT 1`,
    ),
    vervallen: db.prepare(
      `SELECT afzender, berichtId FROM bericht_versies v
       WHERE (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL)
         AND EXISTS (SELECT 1 FROM json_each(?) j WHERE json_extract(j.value, '$[0]') = v.afzender AND json_extract(j.value, '$[1]') = v.berichtId)`,
    ),
  };
  return {
    async berichtVersies(afzender, berichtIds) {
      return st.versies.all(afzender, JSON.stringify(berichtIds)) as BerichtVersieRow[];
    },
    async vervangBericht(afzender, oud, nieuw, versie) {
      st.zorgVoor.run(afzender, oud, versie - 1);
      if (st.markeer.run(nieuw, afzender, oud).changes !== 1) return false;
      st.nieuw.run(afzender, nieuw, versie, oud);
      return true;
    },
    async trekBerichtIn(afzender, berichtId, op, reden) {
      st.zorgVoor.run(afzender, berichtId, 1);
      return st.trekIn.run(op, reden, afzender, berichtId).changes === 1;
    },
    async vervallenBerichten(sleutels) {
      if (sleutels.length === 0) return new Set();
      const rows = st.vervallen.all(JSON.stringify(sleutels.map((s) => [s.afzender, s.berichtId]))) as { afzender: string; berichtId: string }[];
      return new Set(rows.map((r) => versieSleutel(r.afzender, r.berichtId)));
    },
    async geldigePlaatsingen(trajectId, afzender, plaatsingId) {
      return st.plaatsingen.all(trajectId, afzender, plaatsingId) as BerichtRow[];
    },
    async huidigPeriodebericht(afzender, trajectId, van, tot) {
      return st.periode.get(trajectId, afzender, van, tot) as BerichtRow | undefined;
    },
  };
}

type Q = <T>(sql: string, params?: Record<string, unknown>) => Promise<T[]>;

/** PostgreSQL folds unquoted identifiers to lower case; give a row its camelCase names (whether or not `q` already did). */
const NAMEN = ['berichtId', 'verwijderdOp', 'vervangenDoor', 'ingetrokkenOp', 'intrekkingReden', 'berichttype', 'schemaversie', 'trajectId', 'gebeurtenisTijdstip', 'ontvangenOp', 'inhoudHash', 'auditId', 'auditHash'];
const NAAR_CAMEL = new Map(NAMEN.map((n) => [n.toLowerCase(), n]));
function camelRij<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) out[NAAR_CAMEL.get(k) ?? k] = row[k];
  return out as T;
}
function versieRij(r: Record<string, unknown>): BerichtVersieRow {
  const c = camelRij<BerichtVersieRow>(r);
  return { ...c, versie: Number(c.versie) };
}

export function postgresVersieTx(q: Q): VersieTx {
  return {
    async berichtVersies(afzender, berichtIds) {
      const rows = await q<Record<string, unknown>>(`SELECT ${KOLOMMEN} FROM bericht_versies WHERE afzender = @afzender AND berichtId = ANY(@ids::text[])`, { afzender, ids: [...berichtIds] });
      return rows.map(versieRij);
    },
    async vervangBericht(afzender, oud, nieuw, versie) {
      await q('INSERT INTO bericht_versies (afzender, berichtId, versie) VALUES (@afzender, @oud, @versie) ON CONFLICT DO NOTHING', { afzender, oud, versie: versie - 1 });
      const gemarkeerd = await q('UPDATE bericht_versies SET vervangenDoor = @nieuw WHERE afzender = @afzender AND berichtId = @oud AND vervangenDoor IS NULL AND ingetrokkenOp IS NULL RETURNING berichtId', { afzender, oud, nieuw });
      if (gemarkeerd.length !== 1) return false;
      await q('INSERT INTO bericht_versies (afzender, berichtId, versie, vervangt) VALUES (@afzender, @nieuw, @versie, @oud)', { afzender, nieuw, versie, oud });
      return true;
    },
    async trekBerichtIn(afzender, berichtId, op, reden) {
      await q('INSERT INTO bericht_versies (afzender, berichtId, versie) VALUES (@afzender, @berichtId, 1) ON CONFLICT DO NOTHING', { afzender, berichtId });
      const rows = await q('UPDATE bericht_versies SET ingetrokkenOp = @op, intrekkingReden = @reden WHERE afzender = @afzender AND berichtId = @berichtId AND vervangenDoor IS NULL AND ingetrokkenOp IS NULL RETURNING berichtId', { afzender, berichtId, op, reden });
      return rows.length === 1;
    },
    async vervallenBerichten(sleutels) {
      if (sleutels.length === 0) return new Set();
      const rows = await q<Record<string, unknown>>(
        `SELECT v.afzender, v.berichtId FROM bericht_versies v JOIN unnest(@afzenders::text[], @ids::text[]) AS k(afzender, berichtId)
           ON k.afzender = v.afzender AND k.berichtId = v.berichtId
         WHERE v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL`,
        { afzenders: sleutels.map((s) => s.afzender), ids: sleutels.map((s) => s.berichtId) });
      return new Set(rows.map((r) => camelRij<{ afzender: string; berichtId: string }>(r)).map((r) => versieSleutel(r.afzender, r.berichtId)));
    },
    async huidigPeriodebericht(afzender, trajectId, van, tot) {
      const [r] = await q<Record<string, unknown>>(
        `SELECT b.volgnummer, b.berichtId, b.berichttype, b.schemaversie, b.trajectId, b.afzender, b.gebeurtenisTijdstip, b.ontvangenOp, b.inhoud, b.inhoudHash, b.auditId, b.auditHash, b.verwijderdOp, b.verwijdering
         FROM berichten b
         WHERE b.berichttype = 'aanwezigheid' AND b.trajectId = @trajectId AND b.afzender = @afzender
           AND (b.inhoud::jsonb -> 'periode' ->> 'van') = @van AND (b.inhoud::jsonb -> 'periode' ->> 'tot') = @tot
           AND b.verwijderdOp IS NULL
           AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId
                             AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL))
         ORDER BY b.volgnummer DESC LIMIT 1`, { trajectId, afzender, van, tot });
      if (!r) return undefined;
      const c = camelRij<BerichtRow>(r);
      return { ...c, volgnummer: Number(c.volgnummer), auditId: Number(c.auditId) };
    },
    async geldigePlaatsingen(trajectId, afzender, plaatsingId) {
      const rows = await q<Record<string, unknown>>(
        `SELECT b.volgnummer, b.berichtId, b.berichttype, b.schemaversie, b.trajectId, b.afzender, b.gebeurtenisTijdstip, b.ontvangenOp, b.inhoud, b.inhoudHash, b.auditId, b.auditHash, b.verwijderdOp, b.verwijdering
         FROM berichten b
         WHERE b.berichttype = 'plaatsing' AND b.trajectId = @trajectId AND b.afzender = @afzender AND (b.inhoud::jsonb ->> 'plaatsingId') = @plaatsingId
           AND b.verwijderdOp IS NULL
           AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId
                             AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL))
         ORDER BY b.volgnummer DESC`, { trajectId, afzender, plaatsingId });
      return rows.map((r) => {
        const c = camelRij<BerichtRow>(r);
        return { ...c, volgnummer: Number(c.volgnummer), auditId: Number(c.auditId) };
      });
    },
  };
}
