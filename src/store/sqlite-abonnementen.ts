/**
 * The SQLite statements of `AbonnementTx` (signaal-store.ts): subscriptions, their outbox and the
 * delivery attempts. Prepared once on the adapter's connection, used only inside its transactions.
 */
import type Database from 'better-sqlite3';
import { fromAbonnement, toAbonnement, type AbonnementDbRij, type AbonnementTx, type AfleveringRow, type UitgaandRow } from './signaal-store.js';

export function sqliteAbonnementTx(db: Database.Database): AbonnementTx {
  const st = {
    insert: db.prepare(`INSERT INTO abonnementen (abonnementId, partij, url, geheim, soorten, berichttypen, status, aangemaaktOp, gewijzigdOp)
                        VALUES (@abonnementId, @partij, @url, @geheim, @soorten, @berichttypen, @status, @aangemaaktOp, @gewijzigdOp)`),
    een: db.prepare('SELECT * FROM abonnementen WHERE abonnementId = ?'),
    vanPartij: db.prepare("SELECT * FROM abonnementen WHERE partij = ? AND status <> 'verwijderd' ORDER BY rowid"),
    voor: db.prepare("SELECT a.* FROM abonnementen a WHERE a.status <> 'verwijderd' AND EXISTS (SELECT 1 FROM json_each(a.soorten) j WHERE j.value = ?) ORDER BY a.rowid"),
    status: db.prepare('UPDATE abonnementen SET status = ?, gewijzigdOp = ? WHERE abonnementId = ?'),
    insertUitgaand: db.prepare(`INSERT INTO uitgaand (abonnementId, eventId, event, trajectId, doel, status, pogingen, volgendePogingOp)
                                VALUES (@abonnementId, @eventId, @event, @trajectId, @doel, 'wachtend', 0, @volgendePogingOp)`),
    metWerk: db.prepare(
      `SELECT a.abonnementId FROM abonnementen a
       WHERE a.status = 'actief'
         AND (SELECT u.volgendePogingOp FROM uitgaand u WHERE u.abonnementId = a.abonnementId AND u.status = 'wachtend' ORDER BY u.volgnummer LIMIT 1) <= ?
       ORDER BY a.rowid LIMIT ?`,
    ).pluck(),
    volgende: db.prepare("SELECT * FROM uitgaand WHERE abonnementId = ? AND status = 'wachtend' ORDER BY volgnummer LIMIT 1"),
    werkBij: db.prepare('UPDATE uitgaand SET status = @status, pogingen = @pogingen, volgendePogingOp = @volgendePogingOp, afgeleverdOp = @afgeleverdOp WHERE volgnummer = @volgnummer'),
    herplan: db.prepare("UPDATE uitgaand SET pogingen = 0, volgendePogingOp = ? WHERE abonnementId = ? AND status = 'wachtend'"),
    verval: db.prepare("UPDATE uitgaand SET status = 'vervallen' WHERE abonnementId = ? AND status = 'wachtend'"),
    insertAflevering: db.prepare(`INSERT INTO afleveringen (abonnementId, eventId, tijdstip, statuscode, duurMs, fout)
                                  VALUES (@abonnementId, @eventId, @tijdstip, @statuscode, @duurMs, @fout)`),
    afleveringen: db.prepare('SELECT abonnementId, eventId, tijdstip, statuscode, duurMs, fout FROM afleveringen WHERE abonnementId = ? ORDER BY id DESC LIMIT ?'),
  };
  return {
    async insertAbonnement(row) {
      st.insert.run(fromAbonnement(row));
    },
    async abonnement(id) {
      const r = st.een.get(id) as AbonnementDbRij | undefined;
      return r && toAbonnement(r);
    },
    async abonnementen(partij) {
      return (st.vanPartij.all(partij) as AbonnementDbRij[]).map(toAbonnement);
    },
    async abonnementenVoor(soort) {
      return (st.voor.all(soort) as AbonnementDbRij[]).map(toAbonnement);
    },
    async zetAbonnementStatus(id, status, tijdstip) {
      st.status.run(status, tijdstip, id);
    },
    async insertUitgaand(row) {
      return Number(st.insertUitgaand.run(row).lastInsertRowid);
    },
    async abonnementenMetWerk(nu, limit) {
      return st.metWerk.all(nu, limit) as string[];
    },
    async volgendeUitgaand(id) {
      return st.volgende.get(id) as UitgaandRow | undefined;
    },
    async werkUitgaandBij(volgnummer, w) {
      st.werkBij.run({ volgnummer, ...w });
    },
    async herplanUitgaand(id, tijdstip) {
      st.herplan.run(tijdstip, id);
    },
    async vervalUitgaand(id) {
      st.verval.run(id);
    },
    async insertAflevering(row) {
      st.insertAflevering.run(row);
    },
    async afleveringen(id, limit) {
      return st.afleveringen.all(id, limit) as AfleveringRow[];
    },
  };
}
