/**
 * `doelpoort valideer` as an integrator runs it: a real process through the package's bin, on real
 * files; exit code 0 valid, 1 invalid, 2 usage or file errors.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { SUBCOMMANDS, kiesOpdracht, main, type Subcommand } from '../src/cli.js';

const root = projectRoot();
const BIN = path.join(root, 'bin', 'doelpoort.js');
const example = (type: string, file: string) => path.join(root, 'schemas', 'examples', type, file);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function doelpoort(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tmp, encoding: 'utf8', input, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('doelpoort valideer (a real process)', () => {
  it('a valid message: exit 0, says which schema it followed', () => {
    const r = doelpoort(['valideer', example('plaatsing', 'geldig-uitgevallen.json')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/geldig-uitgevallen\.json: geldig — volgens schema \(plaatsing 1\.1\.0\)/);
  });

  it('an invalid message: exit 1, every error on its own line with its pointer, in Dutch', () => {
    const r = doelpoort(['valideer', example('plaatsing', 'ongeldig-betaald-werk-zonder-contract.json')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('ONGELDIG — 3 fouten');
    expect(r.out).toContain('  /inhoud/contract: is verplicht maar ontbreekt');
    expect(r.out).toContain('  /inhoud/taalrijk: moet een van deze waarden zijn: ja, nee, onbekend');
  });

  it('an export with several messages: pointers start at the message index; the checks beyond the schema run too', () => {
    const lijst = ['geldig-week-taalaanbieder.json', 'ongeldig-totalen-tellen-niet-op.json'].map((f) => JSON.parse(fs.readFileSync(example('aanwezigheid', f), 'utf8')));
    const file = path.join(tmp, 'export.json');
    fs.writeFileSync(file, JSON.stringify(lijst));
    const r = doelpoort(['valideer', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('2 berichten, 1 ongeldig, 1 fout');
    expect(r.out).toContain('  /1/inhoud/totalen/1/minuten: de categorieën tellen op tot 720, niet tot gepland (960)');
  });

  it('bare content with --berichttype, from standard input', () => {
    const inhoud = JSON.parse(fs.readFileSync(example('taalvoortgang', 'ongeldig-tussenniveau-spelling.json'), 'utf8')).inhoud;
    const r = doelpoort(['valideer', '-', '--berichttype', 'taalvoortgang', '--schemaversie', '1.0'], JSON.stringify(inhoud));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ {2}\/niveaus\/2\/niveau: moet een van deze waarden zijn: .*A2\/B1/m);
  });

  it('usage and file errors: exit 2', () => {
    expect(doelpoort([]).code).toBe(2);
    expect(doelpoort(['valideer']).code).toBe(2);
    expect(doelpoort(['vertaal', 'x.json'])).toMatchObject({ code: 2, err: expect.stringContaining('Onbekende opdracht: vertaal') });
    expect(doelpoort(['valideer', 'bestaat-niet.json'])).toMatchObject({ code: 2, err: expect.stringContaining('bestaat-niet.json: bestand niet gevonden') });
    fs.writeFileSync(path.join(tmp, 'kapot.json'), '{ "berichtId": ');
    expect(doelpoort(['valideer', 'kapot.json'])).toMatchObject({ code: 2, err: expect.stringContaining('geen geldige JSON') });
    expect(doelpoort(['valideer', 'x.json', '--berichttype', 'gezondheid'])).toMatchObject({ code: 2, err: expect.stringContaining('onbekend berichttype') });
  });

  it('help: exit 0', () => {
    const r = doelpoort(['valideer', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Gebruik: doelpoort valideer/);
  });

  it('`npx doelpoort valideer` finds the package\'s own bin (no download)', () => {
    const r = spawnSync('npx', ['--no-install', 'doelpoort', 'valideer', example('aanwezigheid', 'geldig-week-reintegratie.json')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('geldig-week-reintegratie.json: geldig');
  });
});

describe('the dispatcher', () => {
  it('picks the subcommand whose words are the longest prefix, so nested commands can be added', async () => {
    expect(kiesOpdracht(['valideer', 'a.json'])).toMatchObject({ opdracht: { naam: ['valideer'] }, rest: ['a.json'] });
    expect(kiesOpdracht(['logboek', 'verifieer', 'x.db'])).toMatchObject({ opdracht: { naam: ['logboek'] }, rest: ['verifieer', 'x.db'] });
    expect(kiesOpdracht(['onbekend'])).toBeUndefined();
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await main(['help'], io)).toBe(0);
    for (const c of SUBCOMMANDS as readonly Subcommand[]) expect(lines.join('\n')).toContain(`  ${c.naam.join(' ')}`);
  });
});

describe('doelpoort logboek verifieer (a real process, on a real gateway\'s database file)', () => {
  it('an intact log: exit 0; a record edited in the file: exit 1, naming the record', async () => {
    const { startTestGateway, envelop, bearer } = await import('./support/gateway.js');
    const t = await startTestGateway();
    try {
      const trajectId = await t.openTraject();
      const res = await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).send(envelop('taalvoortgang', trajectId));
      expect(res.status).toBe(201);
      await t.gw.stop();
      const db = path.join(t.dataDir, 'doelpoort.db');
      const intact = doelpoort(['logboek', 'verifieer', db]);
      expect(intact.code, intact.err).toBe(0);
      const Database = (await import('better-sqlite3')).default;
      const raw = new Database(db);
      raw.prepare("UPDATE logboek SET besluit = 'geweigerd' WHERE id = ?").run(res.body.logboek.id);
      raw.close();
      const tampered = doelpoort(['logboek', 'verifieer', db]);
      expect(tampered.code).toBe(1);
      expect(`${tampered.out}${tampered.err}`).toContain(String(res.body.logboek.id));
    } finally {
      await t.close();
    }
  });
});
