/**
 * The storage side of the monitoring figures (issue 13): the derived fact tables (`monitoring_*`, one
 * row per activity, skill, exam component or placement of a message that counts — see
 * `monitoring/feiten.ts`) and the reads a quarter's figures are summed from. `Tx` extends
 * `MonitoringTx`; both adapters' statements live here, and the contract suite (`test/store/contract.ts`)
 * proves the same answers on SQLite and PostgreSQL.
 *
 * Guarantees every adapter gives:
 * - The facts are written in the transaction of their message (on PostgreSQL sent without waiting for
 *   the answer: no extra round trip under the chain-head lock) and removed with a trajectory's rebuild.
 * - Every read takes the gemeente and returns only rows of that gemeente's trajectories: another
 *   gemeente's trajectories never count.
 * - Reads return rows per trajectory (or per trajectory and activity, skill, placement, provider); what
 *   they mean — which quarter, which category, what is small — is decided in `src/monitoring`, never in SQL.
 *   Dates are compared as `YYYY-MM-DD` text; the bounds come from the domain.
 */
import type Database from 'better-sqlite3';
import type { Minuten, Monitoringfeiten } from '../monitoring/feiten.js';
import type { ToewijzingRow } from './store.js';

/** A trajectory as the figures need it. */
export interface MonitoringTrajectRij {
  trajectId: string;
  leerroute: string;
  regime: string;
  doelgroep: string;
  startdatum: string;
  afgeslotenOp: string | null;
  afsluitreden: string | null;
  /** JSON text of api/afsluiting `uitkomst`, or null. */
  afsluituitkomst: string | null;
}

/** The minutes of one trajectory and activity, summed over the reported periods asked for. */
export interface AanwezigheidSomRij extends Minuten {
  trajectId: string;
  activiteit: string;
}

/** A trajectory of a start cohort with the first day anything began: a reported period with attendance, a placement that started. */
export interface EersteDeelnameRij {
  trajectId: string;
  startdatum: string;
  eersteAanwezigheid: string | null;
  eerstePlaatsing: string | null;
}

export interface NiveauRij { trajectId: string; vaardigheid: string; niveau: string }
/** A barrier code reported for a trajectory (distinct). */
export interface KnelpuntRij { trajectId: string; code: string }
export interface ExamenRij { trajectId: string; onderdeel: string; uitslag: string }
export interface PlaatsingRij {
  trajectId: string;
  afzender: string;
  plaatsingId: string;
  vorm: string;
  status: string;
  startdatum: string;
  einddatum: string | null;
  eindreden: string | null;
}
/** Which weeks (bits by `Week.index`) a provider's attendance reports cover on a trajectory. */
export interface GemeldeWekenRij { trajectId: string; afzender: string; masker: number }

export interface MonitoringTx {
  /** Store the facts of one message (in its publish transaction). */
  bewaarMonitoringFeiten(feiten: Monitoringfeiten): Promise<void>;
  /** Remove every fact of a trajectory (before it is rebuilt from the messages that still count). */
  wisMonitoringFeiten(trajectId: string): Promise<void>;
  /** The gemeente's trajectories started on or before `tot` and not closed before `afgeslotenVanaf` (or started on or after `van`). */
  monitoringTrajecten(q: { gemeente: string; van: string; tot: string; afgeslotenVanaf: string }): Promise<MonitoringTrajectRij[]>;
  /** Per trajectory and activity, the minutes of the reported periods of one quarter (as `monitoring/feiten.ts` assigned them). */
  monitoringAanwezigheid(q: { gemeente: string; kwartaal: string }): Promise<AanwezigheidSomRij[]>;
  /** The gemeente's trajectories with a `startdatum` in [van, tot], with their first attendance and placement start. */
  monitoringEersteDeelname(q: { gemeente: string; van: string; tot: string }): Promise<EersteDeelnameRij[]>;
  /** Per trajectory and skill the latest level established on or before `tot` (latest `peildatum`, then latest received). */
  monitoringNiveaus(q: { gemeente: string; tot: string }): Promise<NiveauRij[]>;
  /** Per trajectory every barrier code of a report established on or before `tot` (distinct). */
  monitoringKnelpunten(q: { gemeente: string; tot: string }): Promise<KnelpuntRij[]>;
  /** Per trajectory and exam component the latest result dated on or before `tot`. */
  monitoringExamens(q: { gemeente: string; tot: string }): Promise<ExamenRij[]>;
  /** Per placement (trajectory, sender, plaatsingId) its latest message whose event happened on or before `tot`. */
  monitoringPlaatsingen(q: { gemeente: string; tot: string }): Promise<PlaatsingRij[]>;
  /** Assignments in one of `rollen` on the gemeente's trajectories that may overlap [van, tot] (not ended before `beeindigdVanaf`). */
  monitoringToewijzingen(q: { gemeente: string; van: string; tot: string; beeindigdVanaf: string; rollen: readonly string[] }): Promise<ToewijzingRow[]>;
  /** Per trajectory and sender, which of the weeks `eerste` … `eerste + aantal − 1` (week numbers) its reported periods touch: bit i is week `eerste + i`. */
  monitoringGemeldeWeken(q: { gemeente: string; eerste: number; aantal: number }): Promise<GemeldeWekenRij[]>;
}

const MINUTEN = ['gepland', 'aanwezig', 'teLaat', 'vroegVertrokken', 'geoorloofdAfwezig', 'ongeoorloofdAfwezig', 'ziek', 'afwezig', 'vervallen', 'onbekend'] as const;
const AANWEZIGHEID_KOLOMMEN = ['afzender', 'berichtId', 'trajectId', 'van', 'tot', 'kwartaal', 'activiteit', ...MINUTEN] as const;
const KNELPUNT_KOLOMMEN = ['afzender', 'berichtId', 'trajectId', 'code', 'datum'] as const;
const TABELLEN = ['monitoring_aanwezigheid', 'monitoring_aanwezigheid_kwartaal', 'monitoring_weken', 'monitoring_knelpunten', 'monitoring_niveaus', 'monitoring_examens', 'monitoring_plaatsingen'];
const NIVEAU_KOLOMMEN = ['afzender', 'berichtId', 'trajectId', 'vaardigheid', 'niveau', 'peildatum', 'ontvangenOp'] as const;
const EXAMEN_KOLOMMEN = ['afzender', 'berichtId', 'trajectId', 'onderdeel', 'uitslag', 'datum', 'ontvangenOp'] as const;
const PLAATSING_KOLOMMEN = ['afzender', 'berichtId', 'trajectId', 'plaatsingId', 'vorm', 'status', 'startdatum', 'einddatum', 'eindreden', 'datum', 'ontvangenOp'] as const;

/** The reads, in SQL both engines run the same; `@gemeente` etc. are named parameters. */
const SQL = {
  trajecten: `SELECT trajectId, leerroute, regime, doelgroep, startdatum, afgeslotenOp, afsluitreden, afsluituitkomst FROM trajecten
    WHERE gemeente = @gemeente AND startdatum <= @tot AND (afgeslotenOp IS NULL OR afgeslotenOp >= @afgeslotenVanaf OR startdatum >= @van)
    ORDER BY trajectId`,
  aanwezigheid: `SELECT s.trajectId, s.activiteit, ${MINUTEN.map((m) => `s.${m}`).join(', ')}
    FROM monitoring_aanwezigheid_kwartaal s JOIN trajecten t ON t.trajectId = s.trajectId
    WHERE t.gemeente = @gemeente AND s.kwartaal = @kwartaal ORDER BY s.trajectId, s.activiteit`,
  eersteDeelname: (actief: string) => `SELECT t.trajectId, t.startdatum,
      (SELECT MIN(a.van) FROM monitoring_aanwezigheid a WHERE a.trajectId = t.trajectId AND a.aanwezig > 0) AS eersteAanwezigheid,
      (SELECT MIN(p.startdatum) FROM monitoring_plaatsingen p WHERE p.trajectId = t.trajectId AND p.status IN (${actief})) AS eerstePlaatsing
    FROM trajecten t WHERE t.gemeente = @gemeente AND t.startdatum >= @van AND t.startdatum <= @tot ORDER BY t.trajectId`,
  niveaus: `SELECT trajectId, vaardigheid, niveau FROM (
      SELECT n.trajectId, n.vaardigheid, n.niveau,
        ROW_NUMBER() OVER (PARTITION BY n.trajectId, n.vaardigheid ORDER BY n.peildatum DESC, n.ontvangenOp DESC, n.berichtId DESC) AS rn
      FROM monitoring_niveaus n JOIN trajecten t ON t.trajectId = n.trajectId
      WHERE t.gemeente = @gemeente AND n.peildatum <= @tot) x
    WHERE rn = 1 ORDER BY trajectId, vaardigheid`,
  knelpunten: `SELECT DISTINCT k.trajectId, k.code FROM monitoring_knelpunten k JOIN trajecten t ON t.trajectId = k.trajectId
    WHERE t.gemeente = @gemeente AND k.datum <= @tot ORDER BY k.trajectId, k.code`,
  examens: `SELECT trajectId, onderdeel, uitslag FROM (
      SELECT e.trajectId, e.onderdeel, e.uitslag,
        ROW_NUMBER() OVER (PARTITION BY e.trajectId, e.onderdeel ORDER BY e.datum DESC, e.ontvangenOp DESC, e.berichtId DESC) AS rn
      FROM monitoring_examens e JOIN trajecten t ON t.trajectId = e.trajectId
      WHERE t.gemeente = @gemeente AND e.datum <= @tot) x
    WHERE rn = 1 ORDER BY trajectId, onderdeel`,
  plaatsingen: `SELECT trajectId, afzender, plaatsingId, vorm, status, startdatum, einddatum, eindreden FROM (
      SELECT p.trajectId, p.afzender, p.plaatsingId, p.vorm, p.status, p.startdatum, p.einddatum, p.eindreden,
        ROW_NUMBER() OVER (PARTITION BY p.trajectId, p.afzender, p.plaatsingId ORDER BY p.ontvangenOp DESC, p.berichtId DESC) AS rn
      FROM monitoring_plaatsingen p JOIN trajecten t ON t.trajectId = p.trajectId
      WHERE t.gemeente = @gemeente AND p.datum <= @tot) x
    WHERE rn = 1 ORDER BY trajectId, afzender, plaatsingId`,
  toewijzingen: (rollen: string) => `SELECT w.trajectId, w.partij, w.rol, w.vanaf, w.tot, w.beeindigdOp
    FROM toewijzingen w JOIN trajecten t ON t.trajectId = w.trajectId
    WHERE t.gemeente = @gemeente AND w.rol IN (${rollen}) AND w.vanaf <= @tot AND (w.tot IS NULL OR w.tot >= @van)
      AND (w.beeindigdOp IS NULL OR w.beeindigdOp >= @beeindigdVanaf)
    ORDER BY w.trajectId, w.partij, w.id`,
};

/** Statuses of a placement that has begun (the first day of participation for the start cohort). */
const BEGONNEN = "'gestart', 'gewijzigd', 'gepauzeerd'";

export function sqliteMonitoringTx(db: Database.Database): MonitoringTx {
  const insert = (tabel: string, kolommen: readonly string[]) =>
    db.prepare(`INSERT INTO ${tabel} (${kolommen.join(', ')}) VALUES (${kolommen.map((k) => `@${k}`).join(', ')})`);
  const st = {
    aanwezigheid: insert('monitoring_aanwezigheid', AANWEZIGHEID_KOLOMMEN),
    niveau: insert('monitoring_niveaus', NIVEAU_KOLOMMEN),
    examen: insert('monitoring_examens', EXAMEN_KOLOMMEN),
    plaatsing: insert('monitoring_plaatsingen', PLAATSING_KOLOMMEN),
    knelpunt: insert('monitoring_knelpunten', KNELPUNT_KOLOMMEN),
    knelpunten: db.prepare(SQL.knelpunten),
    week: db.prepare('INSERT OR IGNORE INTO monitoring_weken (trajectId, afzender, week) VALUES (@trajectId, @afzender, @week)'),
    som: db.prepare(`INSERT INTO monitoring_aanwezigheid_kwartaal (trajectId, kwartaal, activiteit, ${MINUTEN.join(', ')})
      VALUES (@trajectId, @kwartaal, @activiteit, ${MINUTEN.map((m) => `@${m}`).join(', ')})
      ON CONFLICT (trajectId, kwartaal, activiteit) DO UPDATE SET ${MINUTEN.map((m) => `${m} = ${m} + excluded.${m}`).join(', ')}`),
    wis: TABELLEN.map((t) => db.prepare(`DELETE FROM ${t} WHERE trajectId = ?`)),
    trajecten: db.prepare(SQL.trajecten),
    aanwezigheidSom: db.prepare(SQL.aanwezigheid),
    eersteDeelname: db.prepare(SQL.eersteDeelname(BEGONNEN)),
    niveaus: db.prepare(SQL.niveaus),
    examens: db.prepare(SQL.examens),
    plaatsingen: db.prepare(SQL.plaatsingen),
    toewijzingen: db.prepare(SQL.toewijzingen('SELECT value FROM json_each(@rollen)')),
    // The rows are distinct weeks (primary key): their bits sum to the mask.
    weken: db.prepare(`SELECT w.trajectId, w.afzender, SUM(1 << (w.week - @eerste)) AS masker
      FROM monitoring_weken w JOIN trajecten t ON t.trajectId = w.trajectId
      WHERE t.gemeente = @gemeente AND w.week >= @eerste AND w.week < @eerste + @aantal
      GROUP BY w.trajectId, w.afzender ORDER BY w.trajectId, w.afzender`),
  };
  return {
    async bewaarMonitoringFeiten(f) {
      for (const r of f.aanwezigheid) {
        st.aanwezigheid.run(r);
        st.som.run({ trajectId: r.trajectId, kwartaal: r.kwartaal, activiteit: r.activiteit, ...Object.fromEntries(MINUTEN.map((m) => [m, r[m]])) });
      }
      for (const r of f.weken) st.week.run(r);
      for (const r of f.knelpunten) st.knelpunt.run(r);
      for (const r of f.niveaus) st.niveau.run(r);
      for (const r of f.examens) st.examen.run(r);
      for (const r of f.plaatsingen) st.plaatsing.run(r);
    },
    async wisMonitoringFeiten(trajectId) {
      for (const s of st.wis) s.run(trajectId);
    },
    async monitoringTrajecten(q) {
      return st.trajecten.all(q) as MonitoringTrajectRij[];
    },
    async monitoringAanwezigheid(q) {
      return st.aanwezigheidSom.all(q) as AanwezigheidSomRij[];
    },
    async monitoringEersteDeelname(q) {
      return st.eersteDeelname.all(q) as EersteDeelnameRij[];
    },
    async monitoringNiveaus(q) {
      return st.niveaus.all(q) as NiveauRij[];
    },
    async monitoringExamens(q) {
      return st.examens.all(q) as ExamenRij[];
    },
    async monitoringKnelpunten(q) {
      return st.knelpunten.all(q) as KnelpuntRij[];
    },
    async monitoringPlaatsingen(q) {
      return st.plaatsingen.all(q) as PlaatsingRij[];
    },
    async monitoringToewijzingen(q) {
      return st.toewijzingen.all({ ...q, rollen: JSON.stringify(q.rollen) }) as ToewijzingRow[];
    },
    async monitoringGemeldeWeken(q) {
      return st.weken.all(q) as GemeldeWekenRij[];
    },
  };
}

type Q = <T>(sql: string, params?: Record<string, unknown>) => Promise<T[]>;
/** A write sent without awaiting its answer: its error fails the item when the item ends. */
type Later = (sql: string, params: Record<string, unknown>) => void;

/** PostgreSQL folds unquoted names to lower case: the columns of these reads, back in camelCase. */
const NAMEN = [...MINUTEN, 'trajectId', 'afgeslotenOp', 'eersteAanwezigheid', 'eerstePlaatsing', 'plaatsingId', 'beeindigdOp'];
const NAAR_CAMEL = new Map(NAMEN.map((n) => [n.toLowerCase(), n]));
function camelRij<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) out[NAAR_CAMEL.get(k) ?? k] = row[k];
  return out as T;
}

/** One INSERT for all rows of a table, the rows as one JSON parameter (one statement text, whatever their number). */
function pgInsert(tabel: string, kolommen: readonly string[], types: Record<string, string>): string {
  return `INSERT INTO ${tabel} (${kolommen.join(', ')})
    SELECT ${kolommen.join(', ')} FROM jsonb_to_recordset(@rijen::jsonb) AS r(${kolommen.map((k) => `${k} ${types[k] ?? 'text'}`).join(', ')})`;
}

const PG_INSERT = {
  aanwezigheid: pgInsert('monitoring_aanwezigheid', AANWEZIGHEID_KOLOMMEN, Object.fromEntries(MINUTEN.map((m) => [m, 'integer']))),
  // One row per key in one statement (ON CONFLICT may meet a key once): the message's rows summed first.
  som: `INSERT INTO monitoring_aanwezigheid_kwartaal (trajectId, kwartaal, activiteit, ${MINUTEN.join(', ')})
    SELECT trajectId, kwartaal, activiteit, ${MINUTEN.map((m) => `SUM(${m})`).join(', ')}
    FROM jsonb_to_recordset(@rijen::jsonb) AS r(trajectId text, kwartaal text, activiteit text, ${MINUTEN.map((m) => `${m} integer`).join(', ')})
    GROUP BY trajectId, kwartaal, activiteit
    ON CONFLICT (trajectId, kwartaal, activiteit) DO UPDATE SET ${MINUTEN.map((m) => `${m} = monitoring_aanwezigheid_kwartaal.${m} + excluded.${m}`).join(', ')}`,
  weken: `INSERT INTO monitoring_weken (trajectId, afzender, week)
    SELECT DISTINCT trajectId, afzender, week FROM jsonb_to_recordset(@rijen::jsonb) AS r(trajectId text, afzender text, week integer)
    ON CONFLICT DO NOTHING`,
  niveaus: pgInsert('monitoring_niveaus', NIVEAU_KOLOMMEN, {}),
  examens: pgInsert('monitoring_examens', EXAMEN_KOLOMMEN, {}),
  plaatsingen: pgInsert('monitoring_plaatsingen', PLAATSING_KOLOMMEN, {}),
  knelpunten: pgInsert('monitoring_knelpunten', KNELPUNT_KOLOMMEN, {}),
};

export function postgresMonitoringTx(query: Q, later: Later): MonitoringTx {
  const q = async <T>(sql: string, params: Record<string, unknown> = {}) => (await query<Record<string, unknown>>(sql, params)).map((r) => camelRij<T>(r));
  // jsonb_to_recordset matches JSON keys to the column list as written (camelCase, quoted by nothing): give it lower-case keys.
  const rijen = (rs: readonly object[]) => JSON.stringify(rs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]))));
  return {
    async bewaarMonitoringFeiten(f) {
      if (f.aanwezigheid.length) {
        later(PG_INSERT.aanwezigheid, { rijen: rijen(f.aanwezigheid) });
        later(PG_INSERT.som, { rijen: rijen(f.aanwezigheid) });
      }
      if (f.weken.length) later(PG_INSERT.weken, { rijen: rijen(f.weken) });
      if (f.knelpunten.length) later(PG_INSERT.knelpunten, { rijen: rijen(f.knelpunten) });
      if (f.niveaus.length) later(PG_INSERT.niveaus, { rijen: rijen(f.niveaus) });
      if (f.examens.length) later(PG_INSERT.examens, { rijen: rijen(f.examens) });
      if (f.plaatsingen.length) later(PG_INSERT.plaatsingen, { rijen: rijen(f.plaatsingen) });
    },
    async wisMonitoringFeiten(trajectId) {
      for (const t of TABELLEN) later(`DELETE FROM ${t} WHERE trajectId = @trajectId`, { trajectId });
    },
    monitoringTrajecten: (p) => q<MonitoringTrajectRij>(SQL.trajecten, p),
    monitoringAanwezigheid: (p) => q<AanwezigheidSomRij>(SQL.aanwezigheid, p),
    monitoringEersteDeelname: (p) => q<EersteDeelnameRij>(SQL.eersteDeelname(BEGONNEN), p),
    monitoringNiveaus: (p) => q<NiveauRij>(SQL.niveaus, p),
    monitoringExamens: (p) => q<ExamenRij>(SQL.examens, p),
    monitoringKnelpunten: (p) => q<KnelpuntRij>(SQL.knelpunten, p),
    monitoringPlaatsingen: (p) => q<PlaatsingRij>(SQL.plaatsingen, p),
    monitoringToewijzingen: (p) => q<ToewijzingRow>(SQL.toewijzingen('SELECT unnest(@rollen::text[])'), { ...p, rollen: [...p.rollen] }),
    monitoringGemeldeWeken: (p) => q<GemeldeWekenRij>(`SELECT w.trajectId, w.afzender, SUM(1::bigint << (w.week - @eerste::integer)) AS masker
        FROM monitoring_weken w JOIN trajecten t ON t.trajectId = w.trajectId
        WHERE t.gemeente = @gemeente AND w.week >= @eerste::integer AND w.week < @eerste::integer + @aantal::integer
        GROUP BY w.trajectId, w.afzender ORDER BY w.trajectId, w.afzender`, p),
  };
}
