/**
 * The PostgreSQL statements of `AbonnementTx` (signaal-store.ts), run on the batch's connection
 * through the adapter's `q`; the same behaviour as `sqlite-abonnementen.ts`.
 */
import { camelRij, fromAbonnement, toAbonnement, type AbonnementDbRij, type AbonnementTx, type AfleveringRow, type UitgaandRow } from './signaal-store.js';

type Q = <T>(sql: string, params?: Record<string, unknown>) => Promise<T[]>;

const AB = 'abonnementId, partij, url, geheim, soorten, berichttypen, status, aangemaaktOp, gewijzigdOp';
const UIT = 'volgnummer, abonnementId, eventId, event, trajectId, doel, status, pogingen, volgendePogingOp, afgeleverdOp';

export function postgresAbonnementTx(query: Q): AbonnementTx {
  const q = async <T>(sql: string, params: Record<string, unknown> = {}) => (await query<Record<string, unknown>>(sql, params)).map((r) => camelRij<T>(r));
  return {
    async insertAbonnement(row) {
      await q(`INSERT INTO abonnementen (${AB}) VALUES (@abonnementId, @partij, @url, @geheim, @soorten, @berichttypen, @status, @aangemaaktOp, @gewijzigdOp)`, { ...fromAbonnement(row) });
    },
    async abonnement(abonnementId) {
      const [r] = await q<AbonnementDbRij>(`SELECT ${AB} FROM abonnementen WHERE abonnementId = @abonnementId`, { abonnementId });
      return r && toAbonnement(r);
    },
    async abonnementen(partij) {
      return (await q<AbonnementDbRij>(`SELECT ${AB} FROM abonnementen WHERE partij = @partij AND status <> 'verwijderd' ORDER BY volgorde`, { partij })).map(toAbonnement);
    },
    async abonnementenVoor(soort) {
      return (await q<AbonnementDbRij>(`SELECT ${AB} FROM abonnementen WHERE status <> 'verwijderd' AND soorten::jsonb ? @soort ORDER BY volgorde`, { soort })).map(toAbonnement);
    },
    async zetAbonnementStatus(abonnementId, status, tijdstip) {
      await q('UPDATE abonnementen SET status = @status, gewijzigdOp = @tijdstip WHERE abonnementId = @abonnementId', { abonnementId, status, tijdstip });
    },
    async insertUitgaand(row) {
      const [r] = await q<{ volgnummer: number }>(
        `INSERT INTO uitgaand (abonnementId, eventId, event, trajectId, doel, status, pogingen, volgendePogingOp)
         VALUES (@abonnementId, @eventId, @event, @trajectId, @doel, 'wachtend', 0, @volgendePogingOp) RETURNING volgnummer`, { ...row });
      return r!.volgnummer;
    },
    async abonnementenMetWerk(nu, limit) {
      const rows = await q<{ abonnementId: string }>(
        `SELECT a.abonnementId FROM abonnementen a
         WHERE a.status = 'actief'
           AND (SELECT u.volgendePogingOp FROM uitgaand u WHERE u.abonnementId = a.abonnementId AND u.status = 'wachtend' ORDER BY u.volgnummer LIMIT 1) <= @nu
         ORDER BY a.volgorde LIMIT @limit`, { nu, limit });
      return rows.map((r) => r.abonnementId);
    },
    async volgendeUitgaand(abonnementId) {
      return (await q<UitgaandRow>(`SELECT ${UIT} FROM uitgaand WHERE abonnementId = @abonnementId AND status = 'wachtend' ORDER BY volgnummer LIMIT 1`, { abonnementId }))[0];
    },
    async werkUitgaandBij(volgnummer, w) {
      await q('UPDATE uitgaand SET status = @status, pogingen = @pogingen, volgendePogingOp = @volgendePogingOp, afgeleverdOp = @afgeleverdOp WHERE volgnummer = @volgnummer', { volgnummer, ...w });
    },
    async herplanUitgaand(abonnementId, tijdstip) {
      await q("UPDATE uitgaand SET pogingen = 0, volgendePogingOp = @tijdstip WHERE abonnementId = @abonnementId AND status = 'wachtend'", { abonnementId, tijdstip });
    },
    async vervalUitgaand(abonnementId) {
      await q("UPDATE uitgaand SET status = 'vervallen' WHERE abonnementId = @abonnementId AND status = 'wachtend'", { abonnementId });
    },
    async insertAflevering(row) {
      await q('INSERT INTO afleveringen (abonnementId, eventId, tijdstip, statuscode, duurMs, fout) VALUES (@abonnementId, @eventId, @tijdstip, @statuscode, @duurMs, @fout)', { ...row });
    },
    async afleveringen(abonnementId, limit) {
      return q<AfleveringRow>('SELECT abonnementId, eventId, tijdstip, statuscode, duurMs, fout FROM afleveringen WHERE abonnementId = @abonnementId ORDER BY id DESC LIMIT @limit', { abonnementId, limit });
    },
  };
}
