import { geversteCategorieenValues } from './categorie-index.js';

/** SQLite schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit one that shipped. */

/**
 * Issue 13 (monitoring): the facts of every message that counts, derived by `monitoring/feiten.ts` in
 * the publish transaction from now on; for the messages stored before, by this statement, by the same
 * rules (a message replaced or withdrawn does not count). Kept apart so the contract suite can prove
 * that the backfill and the publish path give the same rows.
 */
export const MONITORING_AANVULLEN = `
  INSERT INTO monitoring_aanwezigheid (afzender, berichtId, trajectId, van, tot, kwartaal, activiteit, gepland, aanwezig, teLaat, vroegVertrokken, geoorloofdAfwezig, ongeoorloofdAfwezig, ziek, afwezig, vervallen, onbekend)
  SELECT b.afzender, b.berichtId, b.trajectId, json_extract(b.inhoud, '$.periode.van'), json_extract(b.inhoud, '$.periode.tot'),
    -- The quarter of the Thursday of the ISO week of the period's first day (monitoring/kwartaal.ts, kwartaalVanPeriode).
    strftime('%Y', date(json_extract(b.inhoud, '$.periode.van'), '-6 days', 'weekday 1', '+3 days')) || '-Q'
      || ((CAST(strftime('%m', date(json_extract(b.inhoud, '$.periode.van'), '-6 days', 'weekday 1', '+3 days')) AS INTEGER) + 2) / 3),
    json_extract(t.value, '$.activiteit'),
    json_extract(t.value, '$.minuten.gepland'),
    json_extract(t.value, '$.minuten.aanwezig'),
    json_extract(t.value, '$.minuten.teLaat'),
    coalesce(json_extract(t.value, '$.minuten.vroegVertrokken'), 0),
    json_extract(t.value, '$.minuten.geoorloofdAfwezig'),
    json_extract(t.value, '$.minuten.ongeoorloofdAfwezig'),
    json_extract(t.value, '$.minuten.ziek'),
    json_extract(t.value, '$.minuten.afwezig'),
    json_extract(t.value, '$.minuten.vervallen'),
    json_extract(t.value, '$.minuten.onbekend')
  FROM berichten b, json_each(CASE WHEN json_valid(b.inhoud) THEN b.inhoud ELSE '{}' END, '$.totalen') t
  WHERE b.berichttype = 'aanwezigheid' AND json_valid(b.inhoud) AND json_extract(b.inhoud, '$.periode.van') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  INSERT INTO monitoring_niveaus (afzender, berichtId, trajectId, vaardigheid, niveau, peildatum, ontvangenOp)
  SELECT b.afzender, b.berichtId, b.trajectId, json_extract(n.value, '$.vaardigheid'), json_extract(n.value, '$.niveau'), json_extract(n.value, '$.peildatum'), b.ontvangenOp
  FROM berichten b, json_each(CASE WHEN json_valid(b.inhoud) THEN b.inhoud ELSE '{}' END, '$.niveaus') n
  WHERE b.berichttype = 'taalvoortgang' AND json_valid(b.inhoud)
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  INSERT INTO monitoring_examens (afzender, berichtId, trajectId, onderdeel, uitslag, datum, ontvangenOp)
  SELECT b.afzender, b.berichtId, b.trajectId, json_extract(e.value, '$.onderdeel'), json_extract(e.value, '$.uitslag'),
    coalesce(json_extract(e.value, '$.datum'), substr(b.gebeurtenisTijdstip, 1, 10)), b.ontvangenOp
  FROM berichten b, json_each(CASE WHEN json_valid(b.inhoud) THEN b.inhoud ELSE '{}' END, '$.examens') e
  WHERE b.berichttype = 'taalvoortgang' AND json_valid(b.inhoud)
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  INSERT INTO monitoring_plaatsingen (afzender, berichtId, trajectId, plaatsingId, vorm, status, startdatum, einddatum, eindreden, datum, ontvangenOp)
  SELECT b.afzender, b.berichtId, b.trajectId, json_extract(b.inhoud, '$.plaatsingId'), json_extract(b.inhoud, '$.vorm'), json_extract(b.inhoud, '$.status'),
    json_extract(b.inhoud, '$.startdatum'), json_extract(b.inhoud, '$.einddatum'), json_extract(b.inhoud, '$.eindreden'), substr(b.gebeurtenisTijdstip, 1, 10), b.ontvangenOp
  FROM berichten b
  WHERE b.berichttype = 'plaatsing' AND json_valid(b.inhoud) AND json_extract(b.inhoud, '$.plaatsingId') IS NOT NULL
    AND json_extract(b.inhoud, '$.vorm') IS NOT NULL AND json_extract(b.inhoud, '$.status') IS NOT NULL AND json_extract(b.inhoud, '$.startdatum') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  -- Every week (numbered from Monday 5 January 1970, monitoring/kwartaal.ts weeknummer) a period touches.
  WITH RECURSIVE p (trajectId, afzender, week, laatste) AS (
    SELECT DISTINCT trajectId, afzender, CAST((julianday(van) - julianday('1970-01-05')) / 7 AS INTEGER), CAST((julianday(tot) - julianday('1970-01-05')) / 7 AS INTEGER)
      FROM monitoring_aanwezigheid
    UNION
    SELECT trajectId, afzender, week + 1, laatste FROM p WHERE week < laatste
  )
  INSERT OR IGNORE INTO monitoring_weken (trajectId, afzender, week) SELECT trajectId, afzender, week FROM p;
  INSERT INTO monitoring_knelpunten (afzender, berichtId, trajectId, code, datum)
  SELECT DISTINCT b.afzender, b.berichtId, b.trajectId, k.value, json_extract(b.inhoud, '$.datum')
  FROM berichten b, json_each(CASE WHEN json_valid(b.inhoud) THEN b.inhoud ELSE '{}' END, '$.knelpunten') k
  WHERE b.berichttype = 'knelpunt' AND json_extract(b.inhoud, '$.datum') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM bericht_versies v WHERE v.afzender = b.afzender AND v.berichtId = b.berichtId AND (v.vervangenDoor IS NOT NULL OR v.ingetrokkenOp IS NOT NULL));
  INSERT INTO monitoring_aanwezigheid_kwartaal (trajectId, kwartaal, activiteit, gepland, aanwezig, teLaat, vroegVertrokken, geoorloofdAfwezig, ongeoorloofdAfwezig, ziek, afwezig, vervallen, onbekend)
  SELECT trajectId, kwartaal, activiteit, SUM(gepland), SUM(aanwezig), SUM(teLaat), SUM(vroegVertrokken), SUM(geoorloofdAfwezig), SUM(ongeoorloofdAfwezig), SUM(ziek), SUM(afwezig), SUM(vervallen), SUM(onbekend)
  FROM monitoring_aanwezigheid GROUP BY trajectId, kwartaal, activiteit;
`;

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE trajecten (
    trajectId    TEXT PRIMARY KEY,
    gemeente     TEXT NOT NULL,
    leerroute    TEXT NOT NULL,
    startdatum   TEXT NOT NULL,
    aangemaaktOp TEXT NOT NULL
  ) STRICT;
  CREATE INDEX trajecten_gemeente ON trajecten (gemeente);

  CREATE TABLE toewijzingen (
    id          INTEGER PRIMARY KEY,
    trajectId   TEXT NOT NULL REFERENCES trajecten (trajectId),
    partij      TEXT NOT NULL,
    rol         TEXT NOT NULL,
    vanaf       TEXT NOT NULL,
    tot         TEXT,
    beeindigdOp TEXT
  ) STRICT;
  CREATE INDEX toewijzingen_traject ON toewijzingen (trajectId, partij);
  CREATE INDEX toewijzingen_partij ON toewijzingen (partij, trajectId);

  CREATE TABLE berichten (
    volgnummer          INTEGER PRIMARY KEY AUTOINCREMENT,
    berichtId           TEXT NOT NULL UNIQUE,
    berichttype         TEXT NOT NULL,
    trajectId           TEXT NOT NULL REFERENCES trajecten (trajectId),
    afzender            TEXT NOT NULL,
    gebeurtenisTijdstip TEXT NOT NULL,
    ontvangenOp         TEXT NOT NULL,
    inhoud              TEXT NOT NULL,
    inhoudHash          TEXT NOT NULL,
    auditId             INTEGER NOT NULL,
    auditHash           TEXT NOT NULL
  ) STRICT;
  CREATE INDEX berichten_traject ON berichten (trajectId, volgnummer);

  CREATE TABLE logboek (
    id                    INTEGER PRIMARY KEY,
    tijdstip              TEXT NOT NULL,
    traceId               TEXT NOT NULL,
    spanId                TEXT NOT NULL,
    actie                 TEXT NOT NULL,
    partij                TEXT,
    client                TEXT,
    trajectIds            TEXT NOT NULL,
    berichttype           TEXT,
    berichtIds            TEXT NOT NULL,
    doel                  TEXT,
    verwerkingsactiviteit TEXT,
    grondslag             TEXT,
    besluit               TEXT NOT NULL,
    regel                 TEXT,
    reden                 TEXT NOT NULL,
    velden                TEXT NOT NULL,
    status                INTEGER NOT NULL,
    beleidsversie         TEXT NOT NULL,
    vorigeHash            TEXT NOT NULL,
    hash                  TEXT NOT NULL
  ) STRICT;
  -- One row per data subject of a record, so a search by trajectory is an index range scan.
  CREATE TABLE logboek_betrokkene (
    trajectId TEXT NOT NULL,
    auditId   INTEGER NOT NULL REFERENCES logboek (id),
    PRIMARY KEY (trajectId, auditId)
  ) STRICT, WITHOUT ROWID;
  `,
  // Issue 5: closing a trajectory, and the participant's consent (toestemming).
  `
  ALTER TABLE trajecten ADD COLUMN afgeslotenOp TEXT;
  ALTER TABLE trajecten ADD COLUMN afsluitreden TEXT;

  CREATE TABLE toestemmingen (
    toestemmingId       TEXT PRIMARY KEY,
    trajectId           TEXT NOT NULL REFERENCES trajecten (trajectId),
    ontvanger           TEXT NOT NULL,
    doel                TEXT NOT NULL,
    gegevenscategorieen TEXT NOT NULL,
    gegevenOp           TEXT NOT NULL,
    geldigTot           TEXT NOT NULL,
    ingetrokkenOp       TEXT,
    bewijs              TEXT,
    vastgelegdDoor      TEXT NOT NULL,
    beleidsversie       TEXT NOT NULL
  ) STRICT;
  -- The lookup inside every consent-based read: (trajectory, recipient, doel).
  CREATE INDEX toestemmingen_opzoeken ON toestemmingen (trajectId, ontvanger, doel);
  `,
  // The schema version a message follows, and finding the previous message about a placement.
  `
  ALTER TABLE berichten ADD COLUMN schemaversie TEXT NOT NULL DEFAULT '1.0';
  CREATE INDEX berichten_plaatsing ON berichten (trajectId, afzender, json_extract(inhoud, '$.plaatsingId'), volgnummer)
    WHERE berichttype = 'plaatsing';
  `,
  // Issue 6, the logboek: scope index, signed checkpoints, the checkpoint keys' public halves.
  `
  -- Which parties' privacy officers may see a record: the acting party, the gemeente owning a
  -- trajectory of the record, the sender of a message of the record. Filled at write time, so the
  -- scope filter of a logboek search is one index range scan.
  CREATE TABLE logboek_scope (
    partij  TEXT NOT NULL,
    auditId INTEGER NOT NULL REFERENCES logboek (id),
    PRIMARY KEY (partij, auditId)
  ) STRICT, WITHOUT ROWID;
  INSERT OR IGNORE INTO logboek_scope (partij, auditId) SELECT partij, id FROM logboek WHERE partij IS NOT NULL;
  INSERT OR IGNORE INTO logboek_scope (partij, auditId)
    SELECT t.gemeente, b.auditId FROM logboek_betrokkene b JOIN trajecten t ON t.trajectId = b.trajectId;
  INSERT OR IGNORE INTO logboek_scope (partij, auditId)
    SELECT m.afzender, l.id FROM logboek l, json_each(l.berichtIds) j JOIN berichten m ON m.berichtId = j.value;

  -- The weekly overview counts a period: a range scan, not the whole log.
  CREATE INDEX logboek_tijdstip ON logboek (tijdstip);

  -- Signed checkpoints: a JWS (ES256) over { aantal, laatsteHash, tijdstip }.
  CREATE TABLE logboek_controlepunten (
    id          INTEGER PRIMARY KEY,
    aantal      INTEGER NOT NULL,
    laatsteHash TEXT NOT NULL,
    tijdstip    TEXT NOT NULL,
    sleutel     TEXT NOT NULL,
    jws         TEXT NOT NULL
  ) STRICT;

  -- The public keys that signed checkpoints, so that a database file carries what verifies it.
  CREATE TABLE logboek_sleutels (
    kid          TEXT PRIMARY KEY,
    jwk          TEXT NOT NULL,
    aangemaaktOp TEXT NOT NULL
  ) STRICT;
  `,
  // Issue 9, one storage contract: the chain head in the database, idempotency per sender, one
  // checkpoint per position, the state shared by replicas. Upgrades a data folder of the previous main.
  `
  -- The committed end of the chain, one row, updated by the transaction that appends (docs/storage.md).
  CREATE TABLE logboek_hoofd (
    vast INTEGER PRIMARY KEY CHECK (vast = 1),
    id   INTEGER NOT NULL,
    hash TEXT NOT NULL
  ) STRICT;
  INSERT INTO logboek_hoofd (vast, id, hash)
    SELECT 1, coalesce((SELECT id FROM logboek ORDER BY id DESC LIMIT 1), 0),
              coalesce((SELECT hash FROM logboek ORDER BY id DESC LIMIT 1), '${'0'.repeat(64)}');

  -- berichtId is unique per sender (sender + berichtId is the idempotency key), no longer globally:
  -- the table is rebuilt because SQLite cannot drop a column constraint. volgnummers are kept.
  CREATE TABLE berichten_nieuw (
    volgnummer          INTEGER PRIMARY KEY AUTOINCREMENT,
    berichtId           TEXT NOT NULL,
    berichttype         TEXT NOT NULL,
    trajectId           TEXT NOT NULL REFERENCES trajecten (trajectId),
    afzender            TEXT NOT NULL,
    gebeurtenisTijdstip TEXT NOT NULL,
    ontvangenOp         TEXT NOT NULL,
    inhoud              TEXT NOT NULL,
    inhoudHash          TEXT NOT NULL,
    auditId             INTEGER NOT NULL,
    auditHash           TEXT NOT NULL,
    schemaversie        TEXT NOT NULL DEFAULT '1.0',
    UNIQUE (afzender, berichtId)
  ) STRICT;
  INSERT INTO berichten_nieuw (volgnummer, berichtId, berichttype, trajectId, afzender, gebeurtenisTijdstip, ontvangenOp, inhoud, inhoudHash, auditId, auditHash, schemaversie)
    SELECT volgnummer, berichtId, berichttype, trajectId, afzender, gebeurtenisTijdstip, ontvangenOp, inhoud, inhoudHash, auditId, auditHash, schemaversie FROM berichten;
  DROP TABLE berichten;
  ALTER TABLE berichten_nieuw RENAME TO berichten;
  CREATE INDEX berichten_traject ON berichten (trajectId, volgnummer);
  CREATE INDEX berichten_id ON berichten (berichtId);
  CREATE INDEX berichten_plaatsing ON berichten (trajectId, afzender, json_extract(inhoud, '$.plaatsingId'), volgnummer)
    WHERE berichttype = 'plaatsing';

  -- Never two checkpoints for the same position.
  CREATE UNIQUE INDEX logboek_controlepunten_aantal ON logboek_controlepunten (aantal);

  -- Short-lived state shared by replicas (SharedState in store.ts); epoch ms.
  CREATE TABLE gedeelde_staat (
    soort    TEXT NOT NULL,
    sleutel  TEXT NOT NULL,
    waarde   TEXT NOT NULL,
    teller   INTEGER NOT NULL DEFAULT 0,
    verloopt INTEGER NOT NULL,
    uid      TEXT,
    usercode TEXT,
    grantid  TEXT,
    PRIMARY KEY (soort, sleutel)
  ) STRICT;
  CREATE INDEX gedeelde_staat_uid ON gedeelde_staat (soort, uid) WHERE uid IS NOT NULL;
  CREATE INDEX gedeelde_staat_usercode ON gedeelde_staat (soort, usercode) WHERE usercode IS NOT NULL;
  CREATE INDEX gedeelde_staat_grant ON gedeelde_staat (grantid) WHERE grantid IS NOT NULL;
  CREATE INDEX gedeelde_staat_verloopt ON gedeelde_staat (verloopt);
  `,
  // Issue 15, the right of access: an index of disclosures per trajectory, so the inzage report costs
  // as much as the disclosures it lists (no join through the messages). Filled by appendAudit for
  // every allowed read of message content; filled here once for the records written before.
  `
  CREATE TABLE logboek_verstrekking (
    trajectId   TEXT NOT NULL,
    auditId     INTEGER NOT NULL REFERENCES logboek (id),
    berichttype TEXT NOT NULL,
    afzender    TEXT NOT NULL,
    PRIMARY KEY (trajectId, auditId, berichttype, afzender)
  ) STRICT, WITHOUT ROWID;
  INSERT OR IGNORE INTO logboek_verstrekking (trajectId, auditId, berichttype, afzender)
    SELECT m.trajectId, l.id, m.berichttype, m.afzender
      FROM logboek l, json_each(l.berichtIds) j JOIN berichten m ON m.berichtId = j.value
     WHERE m.trajectId IN (SELECT value FROM json_each(l.trajectIds)) AND l.besluit = 'toegestaan' AND l.partij IS NOT NULL AND l.actie IN ('berichten-lezen', 'bericht-lezen');
  `,
  // Issue 10: the trajectory state (one JSON per trajectory, updated in the publish transaction) and
  // the signals, with the database guaranteeing one OPEN signal per kind per trajectory (and provider).
  `
  CREATE TABLE trajectstand (
    trajectId    TEXT PRIMARY KEY REFERENCES trajecten (trajectId),
    stand        TEXT NOT NULL,
    versie       INTEGER NOT NULL,
    bijgewerktOp TEXT NOT NULL
  ) STRICT;

  CREATE TABLE signalen (
    volgorde      INTEGER PRIMARY KEY,
    signaalId     TEXT NOT NULL UNIQUE,
    trajectId     TEXT NOT NULL REFERENCES trajecten (trajectId),
    soort         TEXT NOT NULL,
    aanbieder     TEXT,
    status        TEXT NOT NULL CHECK (status IN ('open', 'afgehandeld')),
    geopendOp     TEXT NOT NULL,
    bijgewerktOp  TEXT NOT NULL,
    berichtIds    TEXT NOT NULL,
    codes         TEXT NOT NULL,
    afgehandeldOp TEXT,
    uitkomst      TEXT
  ) STRICT;
  CREATE UNIQUE INDEX signalen_een_open ON signalen (trajectId, soort, coalesce(aanbieder, '')) WHERE status = 'open';
  CREATE INDEX signalen_traject ON signalen (trajectId, status);
  `,
  // Issue 10: subscriptions, their outbox (written in the transaction of the message or signal) and
  // the delivery attempts.
  `
  CREATE TABLE abonnementen (
    abonnementId TEXT PRIMARY KEY,
    partij       TEXT NOT NULL,
    url          TEXT NOT NULL,
    geheim       TEXT NOT NULL,
    soorten      TEXT NOT NULL,
    berichttypen TEXT,
    status       TEXT NOT NULL CHECK (status IN ('actief', 'gepauzeerd', 'verwijderd')),
    aangemaaktOp TEXT NOT NULL,
    gewijzigdOp  TEXT NOT NULL
  ) STRICT;
  CREATE INDEX abonnementen_partij ON abonnementen (partij);

  CREATE TABLE uitgaand (
    volgnummer       INTEGER PRIMARY KEY,
    abonnementId     TEXT NOT NULL REFERENCES abonnementen (abonnementId),
    eventId          TEXT NOT NULL,
    event            TEXT NOT NULL,
    trajectId        TEXT NOT NULL,
    doel             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('wachtend', 'afgeleverd', 'vervallen')),
    pogingen         INTEGER NOT NULL,
    volgendePogingOp TEXT NOT NULL,
    afgeleverdOp     TEXT,
    UNIQUE (abonnementId, eventId)
  ) STRICT;
  CREATE INDEX uitgaand_wachtend ON uitgaand (abonnementId, volgnummer) WHERE status = 'wachtend';

  CREATE TABLE afleveringen (
    id           INTEGER PRIMARY KEY,
    abonnementId TEXT NOT NULL REFERENCES abonnementen (abonnementId),
    eventId      TEXT NOT NULL,
    tijdstip     TEXT NOT NULL,
    statuscode   INTEGER,
    duurMs       INTEGER NOT NULL,
    fout         TEXT
  ) STRICT;
  CREATE INDEX afleveringen_abonnement ON afleveringen (abonnementId, id);
  `,
  // Issue 10: the user audit trail of the klantmanager's pages — which employee of a party did what,
  // linked to the logboek record by the trace id (the logboek itself names no employees).
  `
  CREATE TABLE gebruikersspoor (
    id         INTEGER PRIMARY KEY,
    traceId    TEXT NOT NULL,
    partij     TEXT NOT NULL,
    medewerker TEXT NOT NULL,
    actie      TEXT NOT NULL,
    tijdstip   TEXT NOT NULL
  ) STRICT;
  CREATE INDEX gebruikersspoor_trace ON gebruikersspoor (traceId);
  CREATE INDEX gebruikersspoor_partij ON gebruikersspoor (partij, id);
  `,
  // Issue 11: corrections (`vervangt`) and withdrawals. One row per message that took part in either;
  // `berichten` itself stays write-once. A message without a row is version 1, current, not withdrawn.
  `
  CREATE TABLE bericht_versies (
    afzender        TEXT NOT NULL,
    berichtId       TEXT NOT NULL,
    versie          INTEGER NOT NULL,
    vervangt        TEXT,
    vervangenDoor   TEXT,
    ingetrokkenOp   TEXT,
    intrekkingReden TEXT,
    PRIMARY KEY (afzender, berichtId)
  ) STRICT;
  CREATE INDEX bericht_versies_vervallen ON bericht_versies (afzender, berichtId) WHERE vervangenDoor IS NOT NULL OR ingetrokkenOp IS NOT NULL;
  `,
  // Issue 11: a provider's own reference (student or client number) per trajectory, unique per provider,
  // visible to that provider only.
  `
  CREATE TABLE kenmerken (
    partij      TEXT NOT NULL,
    trajectId   TEXT NOT NULL,
    kenmerk     TEXT NOT NULL,
    gewijzigdOp TEXT NOT NULL,
    PRIMARY KEY (partij, trajectId),
    UNIQUE (partij, kenmerk)
  ) STRICT;
  `,
  // Issue 12, trajectories as they run: regime and target group (existing rows: wi2021 / onbekend,
  // docs/schemas.md), and the closing outcome for monitoring. Numbered after main's last; renumber on merge.
  `
  ALTER TABLE trajecten ADD COLUMN regime TEXT NOT NULL DEFAULT 'wi2021';
  ALTER TABLE trajecten ADD COLUMN doelgroep TEXT NOT NULL DEFAULT 'onbekend';
  ALTER TABLE trajecten ADD COLUMN afsluituitkomst TEXT;
  `,
  // Issue 13, the consent receipt as evidence: which consent text was agreed to (JSON: id, versie, taal,
  // sha256; null for older consents), and the signed receipts, written once per consent and event.
  // Numbered after main's last; renumber on merge.
  `
  ALTER TABLE toestemmingen ADD COLUMN toestemmingstekst TEXT;
  CREATE TABLE ontvangstbewijzen (
    ontvangstbewijsId TEXT PRIMARY KEY,
    toestemmingId     TEXT NOT NULL REFERENCES toestemmingen (toestemmingId),
    gebeurtenis       TEXT NOT NULL CHECK (gebeurtenis IN ('gegeven', 'ingetrokken')),
    uitgegevenOp      TEXT NOT NULL,
    sleutel           TEXT NOT NULL,
    jws               TEXT NOT NULL,
    UNIQUE (toestemmingId, gebeurtenis)
  ) STRICT;
  `,
  // Issue 13, retention and erasure (docs/bewaring.md): a message whose content was removed keeps its
  // row as a tombstone (inhoud 'null', no content hash) with when and under which rule; per trajectory
  // the volgnummer up to which every message is such a tombstone, so a purge run skips what is done.
  // Numbered after main's last; renumber on merge.
  `
  ALTER TABLE berichten ADD COLUMN verwijderdOp TEXT;
  ALTER TABLE berichten ADD COLUMN verwijdering TEXT;
  ALTER TABLE trajecten ADD COLUMN bewaringVolgnummer INTEGER NOT NULL DEFAULT 0;
  `,
  // Issue 13, the logboek in LDV terms: record version 2 (start time, the caller's parent span, the data
  // categories; version-1 rows keep NULL there and are hashed without them — audit/record.ts), and the
  // data-category index per scope party, filled once for the version-1 records from their fields
  // (categorie-index.ts). Appended after main's last (the consent receipts'); renumber on merge.
  `
  ALTER TABLE logboek ADD COLUMN recordversie INTEGER;
  ALTER TABLE logboek ADD COLUMN starttijdstip TEXT;
  ALTER TABLE logboek ADD COLUMN parentSpanId TEXT;
  ALTER TABLE logboek ADD COLUMN gegevenscategorieen TEXT;
  -- Per party in the record's scope (logboek_scope) and category: an officer's "who read this category"
  -- is one range scan, however rare the category is in its scope; (categorie, auditId) serves a search without scope.
  CREATE TABLE logboek_categorie (
    partij    TEXT NOT NULL,
    categorie TEXT NOT NULL,
    auditId   INTEGER NOT NULL REFERENCES logboek (id),
    PRIMARY KEY (partij, categorie, auditId)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX logboek_categorie_record ON logboek_categorie (categorie, auditId);
  WITH m (categorie, berichttype, veld) AS (VALUES
      ${geversteCategorieenValues()}),
    v AS (SELECT l.id AS auditId, l.berichttype AS berichttype, l.berichtIds AS berichtIds,
                 CASE WHEN instr(substr(j.value, 9), '/') > 0 THEN substr(j.value, 1, 7 + instr(substr(j.value, 9), '/')) ELSE j.value END AS veld
            FROM logboek l, json_each(l.velden) j
           WHERE l.velden <> '[]' AND j.value LIKE '/inhoud/%')
  INSERT OR IGNORE INTO logboek_categorie (partij, categorie, auditId)
  SELECT DISTINCT s.partij, m.categorie, v.auditId FROM v JOIN m ON m.veld = v.veld JOIN logboek_scope s ON s.auditId = v.auditId
   WHERE m.berichttype = v.berichttype
      OR (v.berichttype IS NULL AND EXISTS (SELECT 1 FROM json_each(v.berichtIds) b JOIN berichten d ON d.berichtId = b.value WHERE d.berichttype = m.berichttype));
  `,
  // Issue 14: the per-party feed index. One row per message for each party that may ever stand in
  // relation to its trajectory (its gemeente, every party with an assignment on it): the feed without
  // trajectId walks the caller's own rows instead of every party's messages. Kept in the publish
  // transaction and when an assignment is added; filled here for the messages already stored.
  // Numbered after main's last; renumber on merge.
  `
  CREATE TABLE berichten_feed (
    partij     TEXT NOT NULL,
    volgnummer INTEGER NOT NULL,
    PRIMARY KEY (partij, volgnummer)
  ) STRICT, WITHOUT ROWID;
  INSERT OR IGNORE INTO berichten_feed (partij, volgnummer)
    SELECT t.gemeente, b.volgnummer FROM berichten b JOIN trajecten t ON t.trajectId = b.trajectId
    UNION SELECT w.partij, b.volgnummer FROM berichten b JOIN toewijzingen w ON w.trajectId = b.trajectId;
  `,
  // Issue 13: the monitoring facts (monitoring/feiten.ts), filled for the messages already stored.
  // Appended after issue 12's migration; renumber on merge.
  `
  CREATE TABLE monitoring_aanwezigheid (
    afzender            TEXT NOT NULL,
    berichtId           TEXT NOT NULL,
    trajectId           TEXT NOT NULL,
    van                 TEXT NOT NULL,
    tot                 TEXT NOT NULL,
    kwartaal            TEXT NOT NULL,
    activiteit          TEXT NOT NULL,
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
  ) STRICT;
  CREATE INDEX monitoring_aanwezigheid_van ON monitoring_aanwezigheid (van);
  CREATE INDEX monitoring_aanwezigheid_traject ON monitoring_aanwezigheid (trajectId, van);

  -- The weeks a provider's reports touch, per trajectory (the completeness figure), and the minutes summed
  -- per trajectory, quarter and activity (a quarter reads one row per trajectory and activity).
  CREATE TABLE monitoring_weken (
    trajectId TEXT NOT NULL,
    afzender  TEXT NOT NULL,
    week      INTEGER NOT NULL,
    PRIMARY KEY (trajectId, afzender, week)
  ) STRICT;
  CREATE INDEX monitoring_weken_week ON monitoring_weken (week);

  CREATE TABLE monitoring_aanwezigheid_kwartaal (
    trajectId           TEXT NOT NULL,
    kwartaal            TEXT NOT NULL,
    activiteit          TEXT NOT NULL,
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
    PRIMARY KEY (trajectId, kwartaal, activiteit)
  ) STRICT;
  CREATE INDEX monitoring_aanwezigheid_kwartaal_kwartaal ON monitoring_aanwezigheid_kwartaal (kwartaal);

  CREATE TABLE monitoring_knelpunten (
    afzender  TEXT NOT NULL,
    berichtId TEXT NOT NULL,
    trajectId TEXT NOT NULL,
    code      TEXT NOT NULL,
    datum     TEXT NOT NULL,
    PRIMARY KEY (afzender, berichtId, code)
  ) STRICT;
  CREATE INDEX monitoring_knelpunten_traject ON monitoring_knelpunten (trajectId, datum, code);

  CREATE TABLE monitoring_niveaus (
    afzender    TEXT NOT NULL,
    berichtId   TEXT NOT NULL,
    trajectId   TEXT NOT NULL,
    vaardigheid TEXT NOT NULL,
    niveau      TEXT NOT NULL,
    peildatum   TEXT NOT NULL,
    ontvangenOp TEXT NOT NULL,
    PRIMARY KEY (afzender, berichtId, vaardigheid)
  ) STRICT;
  -- Covering, in the order of "the latest level per skill": the read scans it without visiting the table.
  CREATE INDEX monitoring_niveaus_laatste ON monitoring_niveaus (trajectId, vaardigheid, peildatum, ontvangenOp, berichtId, niveau);

  CREATE TABLE monitoring_examens (
    afzender    TEXT NOT NULL,
    berichtId   TEXT NOT NULL,
    trajectId   TEXT NOT NULL,
    onderdeel   TEXT NOT NULL,
    uitslag     TEXT NOT NULL,
    datum       TEXT NOT NULL,
    ontvangenOp TEXT NOT NULL,
    PRIMARY KEY (afzender, berichtId, onderdeel)
  ) STRICT;
  CREATE INDEX monitoring_examens_laatste ON monitoring_examens (trajectId, onderdeel, datum, ontvangenOp, berichtId, uitslag);

  CREATE TABLE monitoring_plaatsingen (
    afzender    TEXT NOT NULL,
    berichtId   TEXT NOT NULL,
    trajectId   TEXT NOT NULL,
    plaatsingId TEXT NOT NULL,
    vorm        TEXT NOT NULL,
    status      TEXT NOT NULL,
    startdatum  TEXT NOT NULL,
    einddatum   TEXT,
    eindreden   TEXT,
    datum       TEXT NOT NULL,
    ontvangenOp TEXT NOT NULL,
    PRIMARY KEY (afzender, berichtId)
  ) STRICT;
  CREATE INDEX monitoring_plaatsingen_traject ON monitoring_plaatsingen (trajectId);
  ${MONITORING_AANVULLEN}
  `,
];
