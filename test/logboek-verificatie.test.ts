/**
 * Tamper evidence: a record edited, deleted, inserted, reordered, or a tail cut off in the database
 * file — each detected and named, through the API (a gateway started on the tampered file) and
 * through the offline CLI, on the database file and on a JSONL export.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logboekCommand } from '../src/audit/cli.js';
import { seal, type AuditRecord } from '../src/audit/record.js';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { startGateway } from '../src/gateway.js';
import { snelleKetencontrole } from '../src/store/sqlite-keten.js';
import { auditRij, toAuditRecord, type AuditRow } from '../src/store/rijen.js';
import { bearer, envelop, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let work: string;
let N: number; // records covered by the checkpoint
let controlepuntBestand: string;
let jwksBestand: string;

beforeAll(async () => {
  t = await startTestGateway({ overrides: { controlepuntSeconden: 0 } });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-tamper-'));
  const traject = await t.openTraject();
  const roc = await t.token('roc-van-twente');
  const g = await t.token('gemeente-hengelo');
  for (let i = 0; i < 8; i++) {
    expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop(i % 2 ? 'aanwezigheid' : 'taalvoortgang', traject))).status).toBe(201);
    expect((await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...bearer(g))).status).toBe(200);
  }
  expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('plaatsing', traject))).status).toBe(403);
  // Records with empty fields (no caller, no doel) and with quotes and a newline in their reason. A
  // client's text never reaches a reason any more (issue 15), so the awkward reason is written directly.
  expect((await t.api().get('/v1/berichten?doel=trajectbegeleiding')).status).toBe(401);
  expect((await t.api().get('/v1/berichten?doel=nieuwsgierig').set(...bearer(g))).status).toBe(400);
  await t.gw.services.store.transaction((tx) => tx.appendAudit({
    tijdstip: new Date().toISOString(), traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), actie: 'berichten-lezen', partij: 'gemeente-hengelo',
    client: 'gemeente-hengelo', trajectIds: [], berichttype: null, berichtIds: [], doel: null, verwerkingsactiviteit: null, grondslag: null,
    besluit: 'geweigerd', regel: 'doel-onbekend', reden: 'Onbekend doel "nieuwsgierig"\nweg; zie /v1/verwerkingsactiviteiten.', velden: [], status: 400,
    beleidsversie: `${t.gw.services.policy.set.versie}+${t.gw.services.policy.set.hash.slice(0, 16)}`,
  }));
  const punt = await t.gw.services.logboek.controlepunten.nu();
  N = punt!.aantal;
  expect(N).toBeGreaterThanOrEqual(17);
  // Keep the published checkpoint and keys elsewhere, as an auditor would.
  controlepuntBestand = path.join(work, 'controlepunt.json');
  fs.writeFileSync(controlepuntBestand, (await t.api().get('/v1/logboek/controlepunten/laatste')).text);
  jwksBestand = path.join(work, 'sleutels.json');
  fs.writeFileSync(jwksBestand, (await t.api().get('/v1/logboek/sleutels')).text);
});
afterAll(async () => {
  await t.close();
  fs.rmSync(work, { recursive: true, force: true });
});

let copies = 0;
/** A consistent copy of the live database file. */
function copy(): string {
  const file = path.join(work, `kopie-${++copies}.db`);
  const db = new Database(path.join(t.dataDir, 'doelpoort.db'), { readonly: true });
  db.exec(`VACUUM INTO '${file}'`);
  db.close();
  return file;
}

function tamper(file: string, fn: (db: Database.Database) => void): void {
  const db = new Database(file);
  db.pragma('foreign_keys = OFF'); // an attacker does not ask permission
  fn(db);
  db.close();
}

/** A stored row as the record that was sealed (the stored form: src/store/rijen.ts), as a forger would read it. */
function row(db: Database.Database, id: number): AuditRecord {
  return toAuditRecord(db.prepare('SELECT * FROM logboek WHERE id = ?').get(id) as AuditRow);
}

function insert(db: Database.Database, r: AuditRecord): void {
  db.prepare(`INSERT INTO logboek (id, tijdstip, traceId, spanId, actie, partij, client, trajectIds, berichttype, berichtIds, doel, verwerkingsactiviteit,
      grondslag, besluit, regel, reden, velden, status, beleidsversie, vorigeHash, hash, recordversie, starttijdstip, parentSpanId, gegevenscategorieen)
    VALUES (@id, @tijdstip, @traceId, @spanId, @actie, @partij, @client, @trajectIds, @berichttype, @berichtIds, @doel, @verwerkingsactiviteit,
      @grondslag, @besluit, @regel, @reden, @velden, @status, @beleidsversie, @vorigeHash, @hash, @recordversie, @starttijdstip, @parentSpanId, @gegevenscategorieen)`)
    .run(auditRij(r));
}

/** Move ids >= from by `by` (positive or negative) without primary-key clashes. */
function shift(db: Database.Database, from: number, by: number): void {
  db.exec(`UPDATE logboek SET id = -id WHERE id >= ${from}; UPDATE logboek SET id = -id + (${by}) WHERE id < 0;`);
}

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await logboekCommand(args, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

/** Start a gateway on a copy of this data folder with another database file, and verify through the API. */
async function verifyViaApi(dbFile: string): Promise<{ geldig: boolean; eersteFout: { id: number; reden: string } | null }> {
  const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
  for (const dir of ['oidc', 'dev-clients', 'logboek']) fs.cpSync(path.join(t.dataDir, dir), path.join(dataDir, dir), { recursive: true });
  fs.copyFileSync(dbFile, path.join(dataDir, 'doelpoort.db'));
  const gw = await startGateway({ env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', controlepuntSeconden: 0 } });
  try {
    const { accessToken } = await fetchAccessToken({ issuer: gw.config.issuer, clientId: 'fg-hengelo', jwk: readDevClientKey(dataDir, 'fg-hengelo') });
    const res = await fetch(`${gw.url}/v1/logboek/verificatie`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as never;
  } finally {
    await gw.stop();
  }
}

const CASES: Array<{ name: string; apply: (db: Database.Database) => void; id: () => number; reden: RegExp }> = [
  {
    name: 'a field edited',
    apply: (db) => db.prepare("UPDATE logboek SET besluit = CASE besluit WHEN 'toegestaan' THEN 'geweigerd' ELSE 'toegestaan' END WHERE id = 5").run(),
    id: () => 5, reden: /^hash klopt niet/,
  },
  {
    name: 'a record deleted',
    apply: (db) => db.prepare('DELETE FROM logboek WHERE id = 7').run(),
    id: () => 7, reden: /^ontbrekend record \(id-gat\): record 7 ontbreekt/,
  },
  {
    name: 'a record deleted and the ids after it renumbered',
    apply: (db) => {
      db.prepare('DELETE FROM logboek WHERE id = 8').run();
      shift(db, 9, -1);
    },
    id: () => 8, reden: /^ontbrekend record: het oorspronkelijke record 8 is verwijderd/,
  },
  {
    name: 'a forged record inserted (correctly hashed and linked, later ids renumbered)',
    apply: (db) => {
      const before = row(db, 8);
      const { id: _i, vorigeHash: _v, hash: _h, ...input } = row(db, 9);
      shift(db, 9, 1);
      insert(db, seal({ ...input, reden: 'Vervalst: dit is nooit gebeurd.' }, 9, before.hash));
      // The chain head lives in the database: a forger who does not move it too leaves a gateway that
      // refuses to append (the next id is taken) rather than one that chains onto the forgery.
      db.prepare('UPDATE logboek_hoofd SET id = id + 1').run();
    },
    id: () => 9, reden: /^ingevoegd record: record 9/,
  },
  {
    name: 'two records swapped',
    apply: (db) => db.exec('UPDATE logboek SET id = -1 WHERE id = 11; UPDATE logboek SET id = 11 WHERE id = 12; UPDATE logboek SET id = 12 WHERE id = -1;'),
    id: () => 11, reden: /^volgorde: records 11 en 12 zijn verwisseld/,
  },
  {
    name: 'the tail cut off below the checkpoint',
    apply: (db) => db.prepare('DELETE FROM logboek WHERE id > ?').run(N - 3),
    id: () => N - 2, reden: /^afgekapt na controlepunt/,
  },
  {
    name: 'a record edited and the whole chain after it recomputed',
    apply: (db) => {
      let prev = row(db, 3).hash;
      const last = (db.prepare('SELECT max(id) AS m FROM logboek').get() as { m: number }).m;
      for (let id = 4; id <= last; id++) {
        const { id: _i, vorigeHash: _v, hash: _h, ...input } = row(db, id);
        const forged = seal(id === 4 ? { ...input, reden: 'Herschreven.' } : input, id, prev);
        db.prepare('UPDATE logboek SET reden = ?, vorigeHash = ?, hash = ? WHERE id = ?').run(forged.reden, forged.vorigeHash, forged.hash, id);
        prev = forged.hash;
      }
    },
    id: () => N, reden: /^controlepunt klopt niet: record \d+ heeft een andere hash/,
  },
  {
    name: 'a checkpoint forged',
    apply: (db) => {
      const { jws } = db.prepare('SELECT jws FROM logboek_controlepunten ORDER BY id DESC LIMIT 1').get() as { jws: string };
      const [h, p, s] = jws.split('.') as [string, string, string];
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, aantal: 3 })).toString('base64url')}.${s}`;
      db.prepare('UPDATE logboek_controlepunten SET jws = ?, aantal = 3 WHERE jws = ?').run(forged, jws);
    },
    id: () => 3, reden: /handtekening ongeldig/,
  },
];

describe('the untouched log is valid', () => {
  it('offline on the database file (read-only: the file does not change) and through the API', async () => {
    const file = copy();
    const before = fs.readFileSync(file);
    const r = await cli('verifieer', file, '--sleutels', jwksBestand);
    expect(r.out).toContain('Resultaat: GELDIG');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(await verifyViaApi(copy())).toMatchObject({ geldig: true, eersteFout: null });
  });

  it('the fast parallel pass proves an honest chain by itself (SQLite\'s canonical form equals RFC 8785), and is not fooled by an edit', async () => {
    const file = copy();
    const head = new Database(file, { readonly: true }).prepare('SELECT max(id) AS m FROM logboek').get() as { m: number };
    // The log holds the awkward cases: empty fields, and quotes and a newline in a reason.
    expect(t.query("SELECT count(*) AS n FROM logboek WHERE partij IS NULL AND doel IS NULL")[0]).toEqual({ n: 1 });
    expect(t.query('SELECT count(*) AS n FROM logboek WHERE instr(reden, char(34)) AND instr(reden, char(10))')[0]).toEqual({ n: 1 });
    const clean = await snelleKetencontrole(file, head.m, [N], { threads: 3, minPerThread: 1 }); // three ranges stitched together
    expect(clean).toMatchObject({ schoon: true, aantal: head.m });
    expect(clean.hashesOp.get(N)).toBe(JSON.parse(fs.readFileSync(controlepuntBestand, 'utf8')).laatsteHash);
    tamper(file, (db) => db.prepare("UPDATE logboek SET reden = reden || '.' WHERE id = ?").run(head.m - 1));
    expect((await snelleKetencontrole(file, head.m, [], { threads: 3, minPerThread: 1 })).schoon).toBe(false);
  });
});

describe.each(CASES)('$name', ({ apply, id, reden }) => {
  it('is detected and named offline (CLI on the database file) and through the API', async () => {
    const file = copy();
    tamper(file, apply);
    const r = await cli('verifieer', file, '--sleutels', jwksBestand);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`eerste fout bij record ${id()}:`);
    const line = r.out.split('\n').find((l) => l.startsWith('Resultaat:'))!;
    expect(line.replace(/^.*?record \d+: /, '')).toMatch(reden);
    const api = await verifyViaApi(file);
    expect(api.geldig).toBe(false);
    expect(api.eersteFout!.id).toBe(id());
    expect(api.eersteFout!.reden).toMatch(reden);
  });
});

describe('a cut-off tail when the checkpoints were deleted too', () => {
  it('a checkpoint kept elsewhere still names it', async () => {
    const file = copy();
    tamper(file, (db) => {
      db.prepare('DELETE FROM logboek WHERE id > ?').run(N - 3);
      db.exec('DELETE FROM logboek_controlepunten');
    });
    // Without outside knowledge a clean cut with its checkpoints removed looks whole: say so, honestly.
    const alone = await cli('verifieer', file, '--sleutels', jwksBestand);
    expect(alone.out).toContain('controlepunt:  geen');
    const withKept = await cli('verifieer', file, '--sleutels', jwksBestand, '--controlepunt', controlepuntBestand);
    expect(withKept.code).toBe(1);
    expect(withKept.out).toMatch(new RegExp(`eerste fout bij record ${N - 2}: afgekapt na controlepunt`));
  });

  it('the running gateway remembers the checkpoint it signed', async () => {
    // On the live file: empty the checkpoint table behind the gateway's back; its own memory still counts.
    const db = new Database(path.join(t.dataDir, 'doelpoort.db'));
    const saved = db.prepare('SELECT * FROM logboek_controlepunten').all();
    db.exec('DELETE FROM logboek_controlepunten');
    db.close();
    try {
      const res = await t.api().get('/v1/logboek/verificatie').set(...bearer(await t.token('fg-hengelo')));
      expect(res.body).toMatchObject({ geldig: true, controlepunt: { aantal: N, geldig: true } });
    } finally {
      const fix = new Database(path.join(t.dataDir, 'doelpoort.db'));
      const ins = fix.prepare('INSERT INTO logboek_controlepunten (id, aantal, laatsteHash, tijdstip, sleutel, jws) VALUES (@id, @aantal, @laatsteHash, @tijdstip, @sleutel, @jws)');
      for (const r of saved) ins.run(r);
      fix.close();
    }
  });
});

describe('offline on a JSONL export', () => {
  let exportFile: string;
  let lines: string[];
  beforeAll(async () => {
    exportFile = path.join(work, 'volledig.jsonl');
    const r = await cli('exporteer', copy(), '--uit', exportFile);
    expect(r.code).toBe(0);
    lines = fs.readFileSync(exportFile, 'utf8').trim().split('\n');
  });
  const write = (name: string, ls: string[]) => {
    const f = path.join(work, name);
    fs.writeFileSync(f, `${ls.join('\n')}\n`);
    return f;
  };
  const recordLine = (id: number) => lines.findIndex((l) => l.startsWith(`{"id":${id},`));

  it('a complete export verifies: chain and checkpoints', async () => {
    const r = await cli('verifieer', exportFile, '--sleutels', jwksBestand);
    expect(r.out).toContain('volledig: keten en controlepunten gecontroleerd');
    expect(r.code, r.out).toBe(0);
  });

  it('an edited line', async () => {
    const ls = [...lines];
    const i = recordLine(6);
    ls[i] = ls[i]!.replace(/"status":\d+/, '"status":299');
    const r = await cli('verifieer', write('bewerkt.jsonl', ls));
    expect(r.code).toBe(1);
    expect(r.out).toContain('eerste fout bij record 6: hash klopt niet');
  });

  it('a removed line', async () => {
    const ls = lines.filter((_, i) => i !== recordLine(10));
    const r = await cli('verifieer', write('verwijderd.jsonl', ls));
    expect(r.code).toBe(1);
    expect(r.out).toContain('eerste fout bij record 10: ontbrekend record (id-gat)');
  });

  it('ids of two lines swapped', async () => {
    const ls = [...lines];
    ls[recordLine(12)] = ls[recordLine(12)]!.replace('{"id":12,', '{"id":13,');
    ls[recordLine(13)] = ls[recordLine(13)]!.replace('{"id":13,', '{"id":12,');
    const r = await cli('verifieer', write('verwisseld.jsonl', ls));
    expect(r.code).toBe(1);
    expect(r.out).toContain('eerste fout bij record 12: volgorde: records 12 en 13 zijn verwisseld');
  });

  it('records cut off below the checkpoint (trailer kept)', async () => {
    const ls = lines.filter((l) => { const m = /^\{"id":(\d+),/.exec(l); return !m || Number(m[1]) <= N - 3; });
    const r = await cli('verifieer', write('afgekapt.jsonl', ls));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`eerste fout bij record ${N - 2}: afgekapt na controlepunt`);
  });

  it('the file cut off', async () => {
    const r = await cli('verifieer', write('half.jsonl', lines.slice(0, recordLine(9))));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/afgekapt: de slotregel van de export ontbreekt/);
  });
});

describe('offline on an officer\'s export (a selection with a signed manifest)', () => {
  let lines: string[];
  beforeAll(async () => {
    const res = await t.api().get('/v1/logboek/export?formaat=jsonl').set(...bearer(await t.token('fg-roc')));
    expect(res.status).toBe(200);
    lines = res.text.trim().split('\n');
  });
  const write = (name: string, ls: string[]) => {
    const f = path.join(work, name);
    fs.writeFileSync(f, `${ls.join('\n')}\n`);
    return f;
  };

  it('verifies against the published keys', async () => {
    const r = await cli('verifieer', write('selectie.jsonl', lines), '--sleutels', jwksBestand);
    expect(r.out).toContain('selectie');
    expect(r.out).toContain('slotregel:     ondertekend en klopt');
    expect(r.code, r.out).toBe(0);
  });

  it('a removed record line is detected by the manifest, an edited one by its hash', async () => {
    const firstRecord = lines.findIndex((l) => l.startsWith('{"id":'));
    const removed = await cli('verifieer', write('selectie-min.jsonl', lines.filter((_, i) => i !== firstRecord + 2)), '--sleutels', jwksBestand);
    expect(removed.code).toBe(1);
    expect(removed.out).toMatch(/ontbrekend of ingevoegd record/);
    const ls = [...lines];
    ls[firstRecord + 1] = ls[firstRecord + 1]!.replace(/"reden":"[^"]*"/, '"reden":"gewijzigd"');
    const edited = await cli('verifieer', write('selectie-bewerkt.jsonl', ls), '--sleutels', jwksBestand);
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/hash klopt niet/);
  });
});

describe('the CLI as a process', () => {
  it('exit codes: 0 valid, 1 invalid, 2 usage', async () => {
    const run = async (...args: string[]) => {
      try {
        await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support', 'logboek-cli.ts'), ...args]);
        return 0;
      } catch (e) {
        return (e as { code: number }).code;
      }
    };
    const valid = copy();
    const bad = copy();
    tamper(bad, (db) => db.prepare("UPDATE logboek SET reden = 'x' WHERE id = 2").run());
    expect(await run('verifieer', valid)).toBe(0);
    expect(await run('verifieer', bad)).toBe(1);
    expect(await run('verifieer')).toBe(2);
    expect(await run('onzin')).toBe(2);
  });
});
