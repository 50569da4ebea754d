/**
 * PostgreSQL schema migrations, applied in order at start under `pg_advisory_lock` (two replicas
 * starting together do not race); `doelpoort_schema.versie` records how many ran. Never edit one that
 * shipped. The schema mirrors SQLite's after its migrations, with these choices for equal answers:
 * identifiers unquoted (so the same SQL text works on both; rows are mapped back to camelCase keys),
 * every text column `COLLATE "C"` (byte order, case-sensitive, as SQLite's BINARY), timestamps as ISO
 * text (the same precision as written), ids as bigint (read back as JavaScript numbers), JSON as text
 * (the stored bytes are what was hashed). `volgnummer` comes from a sequence, but only ever drawn while
 * the transaction holds the chain-head lock, so commit order is volgnummer order (docs/storage.md).
 */
import { geversteCategorieenValues } from './categorie-index.js';

const T = 'TEXT COLLATE "C"';

/** Issue 13 (monitoring): the facts of the messages stored before the tables existed, as SQLite's `MONITORING_AANVULLEN`. */
export const PG_MONITORING_AANVULLEN = `
  INSERT INTO monitoring_aanwezigheid (afzender, berichtId, trajectId, van, tot, kwartaal, activiteit, gepland, aanwezig, teLaat, vroegVertrokken, geoorloofdAfwezig, ongeoorloofdAfwezig, ziek, afwezig, vervallen, onbekend)
  SELECT b.afzender, b.berichtId, b.trajectId, b.inhoud::jsonb #>> '{periode,van}', b.inhoud::jsonb #>> '{periode,tot}',
    -- The quarter of the Thursday of the ISO week of the period's first day (monitoring/kwartaal.ts, kwartaalVanPeriode).
    to_char(date_trunc('week', (b.inhoud::jsonb #>> '{periode,van}')::date) + interval '3 days', 'YYYY"-Q"Q'),
    t.value ->> 'activiteit',
    (t.value #>> '{minuten,gepland}')::integer,
    (t.value #>> '{minuten,aanwezig}')::integer,
    (t.value #>> '{minuten,teLaat}')::integer,
    coalesce((t.value #>> '{minuten,vroegVertrokken}')::integer, 0),
    (t.value #>> '{minuten,geoorloofdAfwezig}')::integer,
    (t.value #>> '{minuten,ongeoorloofdAfwezig}')::integer,
    (t.value #>> '{minuten,ziek}')::integer,
    (t.value #>> '{minuten,afwezig}')::integer,
    (t.value #>> '{minuten,vervallen}')::integer,
    (t.value #>> '{minuten,onbekend}')::integer
  FROM berichten b CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(b.inhoud::jsonb -> 'totalen') = 'array' THEN b.inhoud::jsonb -> 'totalen' ELSE '[]'::jsonb END) AS t(value)
  WHERE b.berichttype = 'aanwezigheid' AND b.inhoud::jsonb #>> '{periode,van}' IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  INSERT INTO monitoring_niveaus (afzender, berichtId, trajectId, vaardigheid, niveau, peildatum, ontvangenOp)
  SELECT b.afzender, b.berichtId, b.trajectId, n.value ->> 'vaardigheid', n.value ->> 'niveau', n.value ->> 'peildatum', b.ontvangenOp
  FROM berichten b CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(b.inhoud::jsonb -> 'niveaus') = 'array' THEN b.inhoud::jsonb -> 'niveaus' ELSE '[]'::jsonb END) AS n(value)
  WHERE b.berichttype = 'taalvoortgang'
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  INSERT INTO monitoring_examens (afzender, berichtId, trajectId, onderdeel, uitslag, datum, ontvangenOp)
  SELECT b.afzender, b.berichtId, b.trajectId, e.value ->> 'onderdeel', e.value ->> 'uitslag', coalesce(e.value ->> 'datum', substr(b.gebeurtenisTijdstip, 1, 10)), b.ontvangenOp
  FROM berichten b CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(b.inhoud::jsonb -> 'examens') = 'array' THEN b.inhoud::jsonb -> 'examens' ELSE '[]'::jsonb END) AS e(value)
  WHERE b.berichttype = 'taalvoortgang'
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  INSERT INTO monitoring_plaatsingen (afzender, berichtId, trajectId, plaatsingId, vorm, status, startdatum, einddatum, eindreden, datum, ontvangenOp)
  SELECT b.afzender, b.berichtId, b.trajectId, b.inhoud::jsonb ->> 'plaatsingId', b.inhoud::jsonb ->> 'vorm', b.inhoud::jsonb ->> 'status', b.inhoud::jsonb ->> 'startdatum',
    b.inhoud::jsonb ->> 'einddatum', b.inhoud::jsonb ->> 'eindreden', substr(b.gebeurtenisTijdstip, 1, 10), b.ontvangenOp
  FROM berichten b
  WHERE b.berichttype = 'plaatsing' AND b.inhoud::jsonb ->> 'plaatsingId' IS NOT NULL AND b.inhoud::jsonb ->> 'vorm' IS NOT NULL
    AND b.inhoud::jsonb ->> 'status' IS NOT NULL AND b.inhoud::jsonb ->> 'startdatum' IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  -- Every week (numbered from Monday 5 January 1970, monitoring/kwartaal.ts weeknummer) a period touches.
  WITH RECURSIVE p (trajectId, afzender, week, laatste) AS (
    SELECT DISTINCT trajectId, afzender, (van::date - date '1970-01-05') / 7, (tot::date - date '1970-01-05') / 7 FROM monitoring_aanwezigheid
    UNION
    SELECT trajectId, afzender, week + 1, laatste FROM p WHERE week < laatste
  )
  INSERT INTO monitoring_weken (trajectId, afzender, week) SELECT DISTINCT trajectId, afzender, week FROM p ON CONFLICT DO NOTHING;
  INSERT INTO monitoring_knelpunten (afzender, berichtId, trajectId, code, datum)
  SELECT DISTINCT b.afzender, b.berichtId, b.trajectId, k.value, b.inhoud::jsonb ->> 'datum'
  FROM berichten b CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(b.inhoud::jsonb -> 'knelpunten') = 'array' THEN b.inhoud::jsonb -> 'knelpunten' ELSE '[]'::jsonb END) AS k(value)
  WHERE b.berichttype = 'knelpunt' AND b.inhoud::jsonb ->> 'datum' IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  INSERT INTO monitoring_aanwezigheid_kwartaal (trajectId, kwartaal, activiteit, gepland, aanwezig, teLaat, vroegVertrokken, geoorloofdAfwezig, ongeoorloofdAfwezig, ziek, afwezig, vervallen, onbekend)
  SELECT trajectId, kwartaal, activiteit, SUM(gepland), SUM(aanwezig), SUM(teLaat), SUM(vroegVertrokken), SUM(geoorloofdAfwezig), SUM(ongeoorloofdAfwezig), SUM(ziek), SUM(afwezig), SUM(vervallen), SUM(onbekend)
  FROM monitoring_aanwezigheid GROUP BY trajectId, kwartaal, activiteit;
`;

export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE trajecten (
    trajectId    ${T} PRIMARY KEY,
    gemeente     ${T} NOT NULL,
    leerroute    ${T} NOT NULL,
    startdatum   ${T} NOT NULL,
    aangemaaktOp ${T} NOT NULL,
    afgeslotenOp ${T},
    afsluitreden ${T}
  );
  CREATE INDEX trajecten_gemeente ON trajecten (gemeente);

  CREATE TABLE toewijzingen (
    id          BIGSERIAL PRIMARY KEY,
    trajectId   ${T} NOT NULL REFERENCES trajecten (trajectId),
    partij      ${T} NOT NULL,
    rol         ${T} NOT NULL,
    vanaf       ${T} NOT NULL,
    tot         ${T},
    beeindigdOp ${T}
  );
  CREATE INDEX toewijzingen_traject ON toewijzingen (trajectId, partij);
  CREATE INDEX toewijzingen_partij ON toewijzingen (partij, trajectId);

  CREATE TABLE berichten (
    volgnummer          BIGSERIAL PRIMARY KEY,
    berichtId           ${T} NOT NULL,
    berichttype         ${T} NOT NULL,
    schemaversie        ${T} NOT NULL,
    trajectId           ${T} NOT NULL REFERENCES trajecten (trajectId),
    afzender            ${T} NOT NULL,
    gebeurtenisTijdstip ${T} NOT NULL,
    ontvangenOp         ${T} NOT NULL,
    inhoud              ${T} NOT NULL,
    inhoudHash          ${T} NOT NULL,
    auditId             BIGINT NOT NULL,
    auditHash           ${T} NOT NULL,
    UNIQUE (afzender, berichtId)
  );
  CREATE INDEX berichten_traject ON berichten (trajectId, volgnummer);
  CREATE INDEX berichten_id ON berichten (berichtId);
  CREATE INDEX berichten_plaatsing ON berichten (trajectId, afzender, ((inhoud::jsonb ->> 'plaatsingId')), volgnummer)
    WHERE berichttype = 'plaatsing';

  CREATE TABLE toestemmingen (
    volgorde            BIGSERIAL UNIQUE,
    toestemmingId       ${T} PRIMARY KEY,
    trajectId           ${T} NOT NULL REFERENCES trajecten (trajectId),
    ontvanger           ${T} NOT NULL,
    doel                ${T} NOT NULL,
    gegevenscategorieen ${T} NOT NULL,
    gegevenOp           ${T} NOT NULL,
    geldigTot           ${T} NOT NULL,
    ingetrokkenOp       ${T},
    bewijs              ${T},
    vastgelegdDoor      ${T} NOT NULL,
    beleidsversie       ${T} NOT NULL
  );
  CREATE INDEX toestemmingen_opzoeken ON toestemmingen (trajectId, ontvanger, doel);

  CREATE TABLE logboek (
    id                    BIGINT PRIMARY KEY,
    tijdstip              ${T} NOT NULL,
    traceId               ${T} NOT NULL,
    spanId                ${T} NOT NULL,
    actie                 ${T} NOT NULL,
    partij                ${T},
    client                ${T},
    trajectIds            ${T} NOT NULL,
    berichttype           ${T},
    berichtIds            ${T} NOT NULL,
    doel                  ${T},
    verwerkingsactiviteit ${T},
    grondslag             ${T},
    besluit               ${T} NOT NULL,
    regel                 ${T},
    reden                 ${T} NOT NULL,
    velden                ${T} NOT NULL,
    status                INTEGER NOT NULL,
    beleidsversie         ${T} NOT NULL,
    vorigeHash            ${T} NOT NULL,
    hash                  ${T} NOT NULL
  );
  CREATE INDEX logboek_tijdstip ON logboek (tijdstip);
  CREATE TABLE logboek_betrokkene (
    trajectId ${T} NOT NULL,
    auditId   BIGINT NOT NULL REFERENCES logboek (id),
    PRIMARY KEY (trajectId, auditId)
  );
  CREATE TABLE logboek_scope (
    partij  ${T} NOT NULL,
    auditId BIGINT NOT NULL REFERENCES logboek (id),
    PRIMARY KEY (partij, auditId)
  );
  -- The right of access's index: per trajectory, which records disclosed messages of which type and sender.
  CREATE TABLE logboek_verstrekking (
    trajectId   ${T} NOT NULL,
    auditId     BIGINT NOT NULL REFERENCES logboek (id),
    berichttype ${T} NOT NULL,
    afzender    ${T} NOT NULL,
    PRIMARY KEY (trajectId, auditId, berichttype, afzender)
  );
  -- The committed end of the chain: one row, locked FOR UPDATE by every appending transaction.
  CREATE TABLE logboek_hoofd (
    vast INTEGER PRIMARY KEY CHECK (vast = 1),
    id   BIGINT NOT NULL,
    hash ${T} NOT NULL
  );
  INSERT INTO logboek_hoofd (vast, id, hash) VALUES (1, 0, '${'0'.repeat(64)}');
  CREATE TABLE logboek_controlepunten (
    id          BIGSERIAL PRIMARY KEY,
    aantal      BIGINT NOT NULL UNIQUE,
    laatsteHash ${T} NOT NULL,
    tijdstip    ${T} NOT NULL,
    sleutel     ${T} NOT NULL,
    jws         ${T} NOT NULL
  );
  CREATE TABLE logboek_sleutels (
    kid          ${T} PRIMARY KEY,
    jwk          ${T} NOT NULL,
    aangemaaktOp ${T} NOT NULL
  );

  CREATE TABLE gedeelde_staat (
    soort    ${T} NOT NULL,
    sleutel  ${T} NOT NULL,
    waarde   ${T} NOT NULL,
    teller   BIGINT NOT NULL DEFAULT 0,
    verloopt BIGINT NOT NULL,
    uid      ${T},
    usercode ${T},
    grantid  ${T},
    PRIMARY KEY (soort, sleutel)
  );
  CREATE INDEX gedeelde_staat_uid ON gedeelde_staat (soort, uid) WHERE uid IS NOT NULL;
  CREATE INDEX gedeelde_staat_usercode ON gedeelde_staat (soort, usercode) WHERE usercode IS NOT NULL;
  CREATE INDEX gedeelde_staat_grant ON gedeelde_staat (grantid) WHERE grantid IS NOT NULL;
  CREATE INDEX gedeelde_staat_verloopt ON gedeelde_staat (verloopt);
  `,
  // Issue 10: the trajectory state and the signals (as SQLite's migration 7).
  `
  CREATE TABLE trajectstand (
    trajectId    ${T} PRIMARY KEY REFERENCES trajecten (trajectId),
    stand        ${T} NOT NULL,
    versie       INTEGER NOT NULL,
    bijgewerktOp ${T} NOT NULL
  );

  CREATE TABLE signalen (
    volgorde      BIGSERIAL PRIMARY KEY,
    signaalId     ${T} NOT NULL UNIQUE,
    trajectId     ${T} NOT NULL REFERENCES trajecten (trajectId),
    soort         ${T} NOT NULL,
    aanbieder     ${T},
    status        ${T} NOT NULL CHECK (status IN ('open', 'afgehandeld')),
    geopendOp     ${T} NOT NULL,
    bijgewerktOp  ${T} NOT NULL,
    berichtIds    ${T} NOT NULL,
    codes         ${T} NOT NULL,
    afgehandeldOp ${T},
    uitkomst      ${T}
  );
  CREATE UNIQUE INDEX signalen_een_open ON signalen (trajectId, soort, coalesce(aanbieder, '')) WHERE status = 'open';
  CREATE INDEX signalen_traject ON signalen (trajectId, status);
  `,
  // Issue 10: subscriptions, their outbox and the delivery attempts (as SQLite's migration 8).
  `
  CREATE TABLE abonnementen (
    volgorde     BIGSERIAL UNIQUE,
    abonnementId ${T} PRIMARY KEY,
    partij       ${T} NOT NULL,
    url          ${T} NOT NULL,
    geheim       ${T} NOT NULL,
    soorten      ${T} NOT NULL,
    berichttypen ${T},
    status       ${T} NOT NULL CHECK (status IN ('actief', 'gepauzeerd', 'verwijderd')),
    aangemaaktOp ${T} NOT NULL,
    gewijzigdOp  ${T} NOT NULL
  );
  CREATE INDEX abonnementen_partij ON abonnementen (partij);

  CREATE TABLE uitgaand (
    volgnummer       BIGSERIAL PRIMARY KEY,
    abonnementId     ${T} NOT NULL REFERENCES abonnementen (abonnementId),
    eventId          ${T} NOT NULL,
    event            ${T} NOT NULL,
    trajectId        ${T} NOT NULL,
    doel             ${T} NOT NULL,
    status           ${T} NOT NULL CHECK (status IN ('wachtend', 'afgeleverd', 'vervallen')),
    pogingen         INTEGER NOT NULL,
    volgendePogingOp ${T} NOT NULL,
    afgeleverdOp     ${T},
    UNIQUE (abonnementId, eventId)
  );
  CREATE INDEX uitgaand_wachtend ON uitgaand (abonnementId, volgnummer) WHERE status = 'wachtend';

  CREATE TABLE afleveringen (
    id           BIGSERIAL PRIMARY KEY,
    abonnementId ${T} NOT NULL REFERENCES abonnementen (abonnementId),
    eventId      ${T} NOT NULL,
    tijdstip     ${T} NOT NULL,
    statuscode   INTEGER,
    duurMs       INTEGER NOT NULL,
    fout         ${T}
  );
  CREATE INDEX afleveringen_abonnement ON afleveringen (abonnementId, id);
  `,
  // Issue 10: the user audit trail of the klantmanager's pages (as SQLite's migration 9).
  `
  CREATE TABLE gebruikersspoor (
    id         BIGSERIAL PRIMARY KEY,
    traceId    ${T} NOT NULL,
    partij     ${T} NOT NULL,
    medewerker ${T} NOT NULL,
    actie      ${T} NOT NULL,
    tijdstip   ${T} NOT NULL
  );
  CREATE INDEX gebruikersspoor_trace ON gebruikersspoor (traceId);
  CREATE INDEX gebruikersspoor_partij ON gebruikersspoor (partij, id);
  `,
  // Issue 11: corrections (`vervangt`) and withdrawals. One row per message that took part in either;
  // `berichten` itself stays write-once. A message without a row is version 1, current, not withdrawn.
  `
  CREATE TABLE bericht_versies (
    afzender        ${T} NOT NULL,
    berichtId       ${T} NOT NULL,
    versie          INTEGER NOT NULL,
    vervangt        ${T},
    vervangenDoor   ${T},
    ingetrokkenOp   ${T},
    intrekkingReden ${T},
    PRIMARY KEY (afzender, berichtId)
  );
  CREATE INDEX bericht_versies_vervallen ON bericht_versies (afzender, berichtId) WHERE vervangenDoor IS NOT NULL OR ingetrokkenOp IS NOT NULL;
  `,
  // Issue 11: a provider's own reference (student or client number) per trajectory, unique per provider,
  // visible to that provider only.
  `
  CREATE TABLE kenmerken (
    partij      ${T} NOT NULL,
    trajectId   ${T} NOT NULL,
    kenmerk     ${T} NOT NULL,
    gewijzigdOp ${T} NOT NULL,
    PRIMARY KEY (partij, trajectId),
    UNIQUE (partij, kenmerk)
  );
  `,
  // Issue 12, as SQLite's: regime and target group (existing rows: wi2021 / onbekend), the closing outcome.
  `
  ALTER TABLE trajecten ADD COLUMN regime ${T} NOT NULL DEFAULT 'wi2021';
  ALTER TABLE trajecten ADD COLUMN doelgroep ${T} NOT NULL DEFAULT 'onbekend';
  ALTER TABLE trajecten ADD COLUMN afsluituitkomst ${T};
  `,
  // Issue 13, as SQLite's: the consent text agreed to, and the signed consent receipts.
  `
  ALTER TABLE toestemmingen ADD COLUMN toestemmingstekst ${T};
  CREATE TABLE ontvangstbewijzen (
    volgorde          BIGSERIAL UNIQUE,
    ontvangstbewijsId ${T} PRIMARY KEY,
    toestemmingId     ${T} NOT NULL REFERENCES toestemmingen (toestemmingId),
    gebeurtenis       ${T} NOT NULL CHECK (gebeurtenis IN ('gegeven', 'ingetrokken')),
    uitgegevenOp      ${T} NOT NULL,
    sleutel           ${T} NOT NULL,
    jws               ${T} NOT NULL,
    UNIQUE (toestemmingId, gebeurtenis)
  );
  `,
  // Issue 13, retention and erasure, as SQLite's: the tombstone columns and the per-trajectory purge mark.
  `
  ALTER TABLE berichten ADD COLUMN verwijderdOp ${T};
  ALTER TABLE berichten ADD COLUMN verwijdering ${T};
  ALTER TABLE trajecten ADD COLUMN bewaringVolgnummer BIGINT NOT NULL DEFAULT 0;
  `,
  // Issue 13, as SQLite's: record version 2's columns and the data-category index per scope party, filled once for the
  // version-1 records from their fields (categorie-index.ts). Appended after the consent receipts'; renumber on merge.
  `
  ALTER TABLE logboek ADD COLUMN recordversie INTEGER;
  ALTER TABLE logboek ADD COLUMN starttijdstip ${T};
  ALTER TABLE logboek ADD COLUMN parentSpanId ${T};
  ALTER TABLE logboek ADD COLUMN gegevenscategorieen ${T};
  CREATE TABLE logboek_categorie (
    partij    ${T} NOT NULL,
    categorie ${T} NOT NULL,
    auditId   BIGINT NOT NULL REFERENCES logboek (id),
    PRIMARY KEY (partij, categorie, auditId)
  );
  CREATE INDEX logboek_categorie_record ON logboek_categorie (categorie, auditId);
  INSERT INTO logboek_categorie (partij, categorie, auditId)
  SELECT DISTINCT s.partij, m.categorie, v.auditId
    FROM (SELECT l.id AS auditId, l.berichttype AS berichttype, l.berichtIds AS berichtIds,
                 CASE WHEN strpos(substr(j.value, 9), '/') > 0 THEN substr(j.value, 1, 7 + strpos(substr(j.value, 9), '/')) ELSE j.value END AS veld
            FROM logboek l CROSS JOIN LATERAL jsonb_array_elements_text(l.velden::jsonb) j (value)
           WHERE l.velden <> '[]' AND j.value LIKE '/inhoud/%') v
    JOIN (VALUES
      ${geversteCategorieenValues()}) m (categorie, berichttype, veld) ON m.veld = v.veld
    JOIN logboek_scope s ON s.auditId = v.auditId
   WHERE m.berichttype = v.berichttype
      OR (v.berichttype IS NULL AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(v.berichtIds::jsonb) b (id) JOIN berichten d ON d.berichtId = b.id WHERE d.berichttype = m.berichttype))
  ON CONFLICT DO NOTHING;
  `,
  // Issue 14, as SQLite's: the per-party feed index, filled for the messages already stored.
  `
  CREATE TABLE berichten_feed (
    partij     ${T} NOT NULL,
    volgnummer BIGINT NOT NULL,
    PRIMARY KEY (partij, volgnummer)
  );
  INSERT INTO berichten_feed (partij, volgnummer)
    SELECT t.gemeente, b.volgnummer FROM berichten b JOIN trajecten t ON t.trajectId = b.trajectId
    UNION SELECT w.partij, b.volgnummer FROM berichten b JOIN toewijzingen w ON w.trajectId = b.trajectId
    ON CONFLICT DO NOTHING;
  `,
  // Issue 13 (monitoring), as SQLite's: the fact tables, filled for the messages already stored. Renumber on merge.
  `
  CREATE TABLE monitoring_aanwezigheid (
    afzender            ${T} NOT NULL,
    berichtId           ${T} NOT NULL,
    trajectId           ${T} NOT NULL,
    van                 ${T} NOT NULL,
    tot                 ${T} NOT NULL,
    kwartaal            ${T} NOT NULL,
    activiteit          ${T} NOT NULL,
    gepland              INTEGER NOT NULL,
    aanwezig             INTEGER NOT NULL,
    teLaat               INTEGER NOT NULL,
    vroegVertrokken      INTEGER NOT NULL,
    geoorloofdAfwezig    INTEGER NOT NULL,
    ongeoorloofdAfwezig  INTEGER NOT NULL,
    ziek                 INTEGER NOT NULL,
    afwezig              INTEGER NOT NULL,
    vervallen            INTEGER NOT NULL,
    onbekend             INTEGER NOT NULL,
    PRIMARY KEY (afzender, berichtId, activiteit)
  );
  CREATE INDEX monitoring_aanwezigheid_van ON monitoring_aanwezigheid (van);
  CREATE INDEX monitoring_aanwezigheid_traject ON monitoring_aanwezigheid (trajectId, van);

  CREATE TABLE monitoring_weken (
    trajectId ${T} NOT NULL,
    afzender  ${T} NOT NULL,
    week      INTEGER NOT NULL,
    PRIMARY KEY (trajectId, afzender, week)
  );
  CREATE INDEX monitoring_weken_week ON monitoring_weken (week);

  CREATE TABLE monitoring_aanwezigheid_kwartaal (
    trajectId           ${T} NOT NULL,
    kwartaal            ${T} NOT NULL,
    activiteit          ${T} NOT NULL,
    gepland              BIGINT NOT NULL,
    aanwezig             BIGINT NOT NULL,
    teLaat               BIGINT NOT NULL,
    vroegVertrokken      BIGINT NOT NULL,
    geoorloofdAfwezig    BIGINT NOT NULL,
    ongeoorloofdAfwezig  BIGINT NOT NULL,
    ziek                 BIGINT NOT NULL,
    afwezig              BIGINT NOT NULL,
    vervallen            BIGINT NOT NULL,
    onbekend             BIGINT NOT NULL,
    PRIMARY KEY (trajectId, kwartaal, activiteit)
  );
  CREATE INDEX monitoring_aanwezigheid_kwartaal_kwartaal ON monitoring_aanwezigheid_kwartaal (kwartaal);

  CREATE TABLE monitoring_knelpunten (
    afzender  ${T} NOT NULL,
    berichtId ${T} NOT NULL,
    trajectId ${T} NOT NULL,
    code      ${T} NOT NULL,
    datum     ${T} NOT NULL,
    PRIMARY KEY (afzender, berichtId, code)
  );
  CREATE INDEX monitoring_knelpunten_traject ON monitoring_knelpunten (trajectId, datum, code);

  CREATE TABLE monitoring_niveaus (
    afzender    ${T} NOT NULL,
    berichtId   ${T} NOT NULL,
    trajectId   ${T} NOT NULL,
    vaardigheid ${T} NOT NULL,
    niveau      ${T} NOT NULL,
    peildatum   ${T} NOT NULL,
    ontvangenOp ${T} NOT NULL,
    PRIMARY KEY (afzender, berichtId, vaardigheid)
  );
  -- Covering, in the order of "the latest level per skill": the read scans it without visiting the table.
  CREATE INDEX monitoring_niveaus_laatste ON monitoring_niveaus (trajectId, vaardigheid, peildatum, ontvangenOp, berichtId, niveau);

  CREATE TABLE monitoring_examens (
    afzender    ${T} NOT NULL,
    berichtId   ${T} NOT NULL,
    trajectId   ${T} NOT NULL,
    onderdeel   ${T} NOT NULL,
    uitslag     ${T} NOT NULL,
    datum       ${T} NOT NULL,
    ontvangenOp ${T} NOT NULL,
    PRIMARY KEY (afzender, berichtId, onderdeel)
  );
  CREATE INDEX monitoring_examens_laatste ON monitoring_examens (trajectId, onderdeel, datum, ontvangenOp, berichtId, uitslag);

  CREATE TABLE monitoring_plaatsingen (
    afzender    ${T} NOT NULL,
    berichtId   ${T} NOT NULL,
    trajectId   ${T} NOT NULL,
    plaatsingId ${T} NOT NULL,
    vorm        ${T} NOT NULL,
    status      ${T} NOT NULL,
    startdatum  ${T} NOT NULL,
    einddatum   ${T},
    eindreden   ${T},
    datum       ${T} NOT NULL,
    ontvangenOp ${T} NOT NULL,
    PRIMARY KEY (afzender, berichtId)
  );
  CREATE INDEX monitoring_plaatsingen_traject ON monitoring_plaatsingen (trajectId);
  ${PG_MONITORING_AANVULLEN}
  `,
];
