/**
 * The SQLite statements of `SignaalTx` (signal-store.ts): the trajectory state, the signals, the
 * trajectory list and the scheduler's lease. Prepared once on the adapter's connection; used only
 * inside the adapter's transactions (the group commit), so they see and write that transaction's data.
 */
import type Database from 'better-sqlite3';
import { relatieSql } from '../policy/relatie.js';
import { sqliteAbonnementTx } from './sqlite-abonnementen.js';
import { fromSignaal, toSignaal, toSignaalRij, type SignaalDbRij, type SignaalTx, type TrajectOverzichtRij, type TrajectstandRow, type GebruikersspoorRow } from './signaal-store.js';

const SIGNAAL_KOLOMMEN = 's.volgorde, s.signaalId, s.trajectId, s.soort, s.aanbieder, s.status, s.geopendOp, s.bijgewerktOp, s.berichtIds, s.codes, s.afgehandeldOp, s.uitkomst';

export function sqliteSignaalTx(db: Database.Database): SignaalTx {
  const st = {
    stand: db.prepare('SELECT trajectId, stand, versie, bijgewerktOp FROM trajectstand WHERE trajectId = ?'),
    bewaarStand: db.prepare(
      `INSERT INTO trajectstand (trajectId, stand, versie, bijgewerktOp) VALUES (@trajectId, @stand, @versie, @bijgewerktOp)
       ON CONFLICT (trajectId) DO UPDATE SET stand = excluded.stand, versie = excluded.versie, bijgewerktOp = excluded.bijgewerktOp`,
    ),
    openSignalen: db.prepare(`SELECT ${SIGNAAL_KOLOMMEN} FROM signalen s WHERE s.trajectId IN (SELECT value FROM json_each(?)) AND s.status = 'open' ORDER BY s.volgorde`),
    signaal: db.prepare(`SELECT ${SIGNAAL_KOLOMMEN}, t.gemeente FROM signalen s JOIN trajecten t ON t.trajectId = s.trajectId WHERE s.signaalId = ?`),
    bewaarSignaal: db.prepare(
      `INSERT INTO signalen (signaalId, trajectId, soort, aanbieder, status, geopendOp, bijgewerktOp, berichtIds, codes, afgehandeldOp, uitkomst)
       VALUES (@signaalId, @trajectId, @soort, @aanbieder, @status, @geopendOp, @bijgewerktOp, @berichtIds, @codes, @afgehandeldOp, @uitkomst)
       ON CONFLICT (signaalId) DO UPDATE SET aanbieder = excluded.aanbieder, status = excluded.status, bijgewerktOp = excluded.bijgewerktOp,
         berichtIds = excluded.berichtIds, codes = excluded.codes, afgehandeldOp = excluded.afgehandeldOp, uitkomst = excluded.uitkomst`,
    ),
    signalen: db.prepare(
      `SELECT ${SIGNAAL_KOLOMMEN}, t.gemeente FROM signalen s JOIN trajecten t ON t.trajectId = s.trajectId
       WHERE t.gemeente = @gemeente AND s.volgorde < @voor AND (@status = '' OR s.status = @status)
         AND s.soort IN (SELECT value FROM json_each(@soorten))
       ORDER BY s.volgorde DESC LIMIT @limit`,
    ),
    trajecten: db.prepare(
      `SELECT tr.trajectId, tr.gemeente, tr.leerroute, tr.startdatum, tr.aangemaaktOp, tr.afgeslotenOp, tr.afsluitreden, ts.stand
       FROM trajecten tr LEFT JOIN trajectstand ts ON ts.trajectId = tr.trajectId
       WHERE tr.trajectId > @na AND ${relatieSql('tr.trajectId', '@partij', '@vandaag')}
         AND (@status = '' OR (@status = 'lopend' AND tr.afgeslotenOp IS NULL) OR (@status = 'afgesloten' AND tr.afgeslotenOp IS NOT NULL))
       ORDER BY tr.trajectId LIMIT @limit`,
    ),
    planner: db.prepare(
      `SELECT tr.trajectId FROM trajecten tr
       WHERE tr.trajectId > @na AND tr.afgeslotenOp IS NULL
         AND (EXISTS (SELECT 1 FROM toewijzingen w WHERE w.trajectId = tr.trajectId AND w.rol IN (SELECT value FROM json_each(@rollen))
                        AND w.beeindigdOp IS NULL AND (w.tot IS NULL OR w.tot >= @vanaf))
           OR EXISTS (SELECT 1 FROM signalen s WHERE s.trajectId = tr.trajectId AND s.status = 'open' AND s.soort IN (SELECT value FROM json_each(@soorten))))
       ORDER BY tr.trajectId LIMIT @limit`,
    ).pluck(),
    insertSpoor: db.prepare('INSERT INTO gebruikersspoor (traceId, partij, medewerker, actie, tijdstip) VALUES (@traceId, @partij, @medewerker, @actie, @tijdstip)'),
    spoor: db.prepare('SELECT traceId, partij, medewerker, actie, tijdstip FROM gebruikersspoor WHERE partij = ? AND traceId = ? ORDER BY id'),
  };
  return {
    async insertGebruikersspoor(row) {
      st.insertSpoor.run(row);
    },
    async gebruikersspoor(partij, traceId) {
      return st.spoor.all(partij, traceId) as GebruikersspoorRow[];
    },
    ...sqliteAbonnementTx(db),
    async trajectstand(trajectId) {
      return st.stand.get(trajectId) as TrajectstandRow | undefined; // the write lock of BEGIN IMMEDIATE already serialises
    },
    async bewaarTrajectstand(row) {
      st.bewaarStand.run(row);
    },
    async openSignalen(trajectIds) {
      return (st.openSignalen.all(JSON.stringify(trajectIds)) as SignaalDbRij[]).map(toSignaal);
    },
    async signaal(signaalId) {
      const r = st.signaal.get(signaalId) as SignaalDbRij | undefined;
      return r && toSignaalRij(r);
    },
    async bewaarSignaal(signaal) {
      st.bewaarSignaal.run(fromSignaal(signaal));
    },
    async signalen(q) {
      const rows = st.signalen.all({ gemeente: q.gemeente, voor: q.voor ?? Number.MAX_SAFE_INTEGER, status: q.status ?? '', soorten: JSON.stringify(q.soorten), limit: q.limit });
      return (rows as SignaalDbRij[]).map(toSignaalRij);
    },
    async trajecten(q) {
      return st.trajecten.all({ na: q.na, partij: q.partij, vandaag: q.vandaag, status: q.status ?? '', limit: q.limit }) as TrajectOverzichtRij[];
    },
    async trajectenVoorPlanner(q) {
      return st.planner.all({ na: q.na, rollen: JSON.stringify(q.rollen), soorten: JSON.stringify(q.soorten), vanaf: q.vanaf, limit: q.limit }) as string[];
    },
    async lease() {
      return true; // BEGIN IMMEDIATE: this transaction is the only writer of the file
    },
  };
}
