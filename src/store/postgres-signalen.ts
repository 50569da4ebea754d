/**
 * The PostgreSQL statements of `SignaalTx` (signal-store.ts), run on the batch's connection through the
 * adapter's `q` (named parameters, one statement at a time). The state row is read `FOR UPDATE` when it
 * is about to be rewritten: the publish batch already holds the chain-head lock, so this costs no extra
 * wait, and it keeps the state serialised even for a writer that does not take the head lock.
 */
import { relatieSql } from '../policy/relatie.js';
import { postgresAbonnementTx } from './postgres-abonnementen.js';
import { camelRij, fromSignaal, toSignaal, toSignaalRij, type SignaalDbRij, type SignaalTx, type TrajectOverzichtRij, type TrajectstandRow, type GebruikersspoorRow } from './signaal-store.js';

type Q = <T>(sql: string, params?: Record<string, unknown>) => Promise<T[]>;

const SIGNAAL_KOLOMMEN = 's.volgorde, s.signaalId, s.trajectId, s.soort, s.aanbieder, s.status, s.geopendOp, s.bijgewerktOp, s.berichtIds, s.codes, s.afgehandeldOp, s.uitkomst';

export function postgresSignaalTx(query: Q): SignaalTx {
  const q = async <T>(sql: string, params: Record<string, unknown> = {}) => (await query<Record<string, unknown>>(sql, params)).map((r) => camelRij<T>(r));
  return {
    ...postgresAbonnementTx(query),
    async trajectstand(trajectId, voorBijwerken = false) {
      return (await q<TrajectstandRow>(`SELECT trajectId, stand, versie, bijgewerktOp FROM trajectstand WHERE trajectId = @trajectId${voorBijwerken ? ' FOR UPDATE' : ''}`, { trajectId }))[0];
    },
    async bewaarTrajectstand(row) {
      await q(`INSERT INTO trajectstand (trajectId, stand, versie, bijgewerktOp) VALUES (@trajectId, @stand, @versie, @bijgewerktOp)
               ON CONFLICT (trajectId) DO UPDATE SET stand = excluded.stand, versie = excluded.versie, bijgewerktOp = excluded.bijgewerktOp`, { ...row });
    },
    async openSignalen(trajectIds) {
      return (await q<SignaalDbRij>(`SELECT ${SIGNAAL_KOLOMMEN} FROM signalen s WHERE s.trajectId = ANY(@ids::text[]) AND s.status = 'open' ORDER BY s.volgorde`, { ids: [...trajectIds] })).map(toSignaal);
    },
    async signaal(signaalId) {
      const [r] = await q<SignaalDbRij>(`SELECT ${SIGNAAL_KOLOMMEN}, t.gemeente FROM signalen s JOIN trajecten t ON t.trajectId = s.trajectId WHERE s.signaalId = @signaalId`, { signaalId });
      return r && toSignaalRij(r);
    },
    async bewaarSignaal(signaal) {
      await q(`INSERT INTO signalen (signaalId, trajectId, soort, aanbieder, status, geopendOp, bijgewerktOp, berichtIds, codes, afgehandeldOp, uitkomst)
               VALUES (@signaalId, @trajectId, @soort, @aanbieder, @status, @geopendOp, @bijgewerktOp, @berichtIds, @codes, @afgehandeldOp, @uitkomst)
               ON CONFLICT (signaalId) DO UPDATE SET aanbieder = excluded.aanbieder, status = excluded.status, bijgewerktOp = excluded.bijgewerktOp,
                 berichtIds = excluded.berichtIds, codes = excluded.codes, afgehandeldOp = excluded.afgehandeldOp, uitkomst = excluded.uitkomst`, { ...fromSignaal(signaal) });
    },
    async signalen(sq) {
      const rows = await q<SignaalDbRij>(
        `SELECT ${SIGNAAL_KOLOMMEN}, t.gemeente FROM signalen s JOIN trajecten t ON t.trajectId = s.trajectId
         WHERE t.gemeente = @gemeente AND s.volgorde < @voor AND (@status::text = '' OR s.status = @status) AND s.soort = ANY(@soorten::text[])
         ORDER BY s.volgorde DESC LIMIT @limit`,
        { gemeente: sq.gemeente, voor: sq.voor ?? Number.MAX_SAFE_INTEGER, status: sq.status ?? '', soorten: [...sq.soorten], limit: sq.limit });
      return rows.map(toSignaalRij);
    },
    async trajecten(tq) {
      return q<TrajectOverzichtRij>(
        `SELECT tr.trajectId, tr.gemeente, tr.leerroute, tr.startdatum, tr.aangemaaktOp, tr.afgeslotenOp, tr.afsluitreden, ts.stand
         FROM trajecten tr LEFT JOIN trajectstand ts ON ts.trajectId = tr.trajectId
         WHERE tr.trajectId > @na AND ${relatieSql('tr.trajectId', '@partij', '@vandaag')}
           AND (@status::text = '' OR (@status = 'lopend' AND tr.afgeslotenOp IS NULL) OR (@status = 'afgesloten' AND tr.afgeslotenOp IS NOT NULL))
         ORDER BY tr.trajectId LIMIT @limit`,
        { na: tq.na, partij: tq.partij, vandaag: tq.vandaag, status: tq.status ?? '', limit: tq.limit });
    },
    async trajectenVoorPlanner(pq) {
      const rows = await q<{ trajectId: string }>(
        `SELECT tr.trajectId FROM trajecten tr
         WHERE tr.trajectId > @na AND tr.afgeslotenOp IS NULL
           AND (EXISTS (SELECT 1 FROM toewijzingen w WHERE w.trajectId = tr.trajectId AND w.rol = ANY(@rollen::text[])
                          AND w.beeindigdOp IS NULL AND (w.tot IS NULL OR w.tot >= @vanaf))
             OR EXISTS (SELECT 1 FROM signalen s WHERE s.trajectId = tr.trajectId AND s.status = 'open' AND s.soort = ANY(@soorten::text[])))
         ORDER BY tr.trajectId LIMIT @limit`,
        { na: pq.na, rollen: [...pq.rollen], soorten: [...pq.soorten], vanaf: pq.vanaf, limit: pq.limit });
      return rows.map((r) => r.trajectId);
    },
    async insertGebruikersspoor(row) {
      await q('INSERT INTO gebruikersspoor (traceId, partij, medewerker, actie, tijdstip) VALUES (@traceId, @partij, @medewerker, @actie, @tijdstip)', { ...row });
    },
    async gebruikersspoor(partij, traceId) {
      return q<GebruikersspoorRow>('SELECT traceId, partij, medewerker, actie, tijdstip FROM gebruikersspoor WHERE partij = @partij AND traceId = @traceId ORDER BY id', { partij, traceId });
    },
    async lease(naam) {
      const [r] = await q<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext(@naam)) AS ok', { naam: `doelpoort-lease:${naam}` });
      return r!.ok;
    },
  };
}
