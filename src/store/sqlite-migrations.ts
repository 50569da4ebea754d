/** SQLite schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit one that shipped. */
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
  // The schema version a message follows, and finding the previous message about a placement.
  `
  ALTER TABLE berichten ADD COLUMN schemaversie TEXT NOT NULL DEFAULT '1.0';
  CREATE INDEX berichten_plaatsing ON berichten (trajectId, afzender, json_extract(inhoud, '$.plaatsingId'), volgnummer)
    WHERE berichttype = 'plaatsing';
  `,
];
