/**
 * `npx doelpoort bewaartermijnen [--uitvoeren]` as an operator runs it: a real process through the
 * package's bin, beside a running gateway, on both adapters. A dry run lists and changes nothing; with
 * `--uitvoeren` the content goes exactly as the scheduler removes it (records, tombstones, 410), and a
 * second run finds nothing. The history is written in 2015 by a gateway with a fixed clock, so today
 * it is past every term.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { projectRoot } from '../src/config.js';
import { bearer, envelop, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';

const BIN = path.join(projectRoot(), 'bin', 'doelpoort.js');

async function doelpoort(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: '' } });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const f = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof f.code === 'number' ? f.code : -1, out: f.stdout ?? '', err: f.stderr ?? '' };
  }
}

/** The same command in this process (the checks of its options need no second process). */
async function inProces(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe.each<Adapter>(['sqlite', 'postgres'])('doelpoort bewaartermijnen on %s (a real process beside a running gateway)', (adapter) => {
  let t: TestGateway;
  let klok = new Date('2015-03-02T09:00:00.000Z');
  let oud: string;
  let lopend: string;
  const berichten: string[] = [];
  const database = () => (adapter === 'postgres' ? t.databaseUrl! : t.dataDir);
  const records = async () => (await t.rows<{ n: number }>('SELECT count(*) AS n FROM logboek'))[0]!.n;

  beforeAll(async () => {
    t = await startTestGateway({ adapter, now: () => klok, overrides: { bewaarPlannerSeconden: 0 } });
    const toewijzingen = [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2015-03-02' }];
    oud = await t.openTraject(toewijzingen);
    lopend = await t.openTraject(toewijzingen);
    const roc = bearer(await t.token('roc-van-twente'));
    for (const trajectId of [oud, oud, oud, lopend]) {
      const body = { ...envelop('taalvoortgang', trajectId), berichtId: crypto.randomUUID() };
      expect((await t.api().post('/v1/berichten').set(...roc).send(body)).status).toBe(201);
      if (trajectId === oud) berichten.push(body.berichtId);
    }
    klok = new Date('2015-06-01T09:00:00.000Z');
    expect((await t.api().post(`/v1/trajecten/${oud}/afsluiting`).set(...bearer(await t.token('gemeente-hengelo'))).send({ reden: 'afgerond' })).status).toBe(200);
    klok = new Date(); // from here on the gateway runs today
  });
  afterAll(() => t.close());

  it('a dry run lists the trajectory closed in 2015 with its messages, and changes and records nothing', async () => {
    const voor = await records();
    const r = await doelpoort(['bewaartermijnen', database()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Proefrun: er is niets veranderd');
    expect(r.out).toContain(`traject ${oud} (gemeente-hengelo): inhoud van 3 bericht(en) te verwijderen — taalvoortgang 3`);
    expect(r.out).not.toContain(lopend);
    expect(await records()).toBe(voor);
    expect((await t.rows('SELECT berichtId FROM berichten WHERE verwijderdOp IS NOT NULL'))).toEqual([]);
    // As of a date: closed 2015-06-01, kept up to and including 2020-06-01; with --uitvoeren a date is refused (removal is always as of today).
    expect((await inProces(['bewaartermijnen', database(), '--peildatum', '2020-06-02'])).out).toContain(`traject ${oud}`);
    expect((await inProces(['bewaartermijnen', database(), '--peildatum', '2020-06-01'])).out).toContain('Totaal: 0 bericht(en)');
    const fout = await inProces(['bewaartermijnen', database(), '--uitvoeren', '--peildatum', '2020-06-02']);
    expect(fout.code).toBe(2);
    expect(fout.err).toContain('--peildatum kan alleen bij een proefrun');
    expect((await inProces(['bewaartermijnen', '--onzin'])).code).toBe(2);
    expect((await inProces(['bewaartermijnen', path.join(t.dataDir, 'bestaat-niet')])).code).toBe(2);
    expect(await records()).toBe(voor);
  });

  it('--uitvoeren removes it as the scheduler does: one record, tombstones, the gateway answers 410; a second run finds nothing', async () => {
    const voor = await records();
    const r = await doelpoort(['bewaartermijnen', database(), '--uitvoeren']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Uitgevoerd');
    expect(r.out).toMatch(new RegExp(`traject ${oud} \\(gemeente-hengelo\\): inhoud van 3 bericht\\(en\\) verwijderd — taalvoortgang 3 — logboek \\d+`));
    const purge = await t.rows<{ id: number; berichtIds: string; trajectIds: string }>("SELECT id, berichtIds, trajectIds FROM logboek WHERE actie = 'bewaartermijn-toepassen'");
    expect(purge).toHaveLength(1);
    expect(purge[0]!.id).toBe(voor + 1);
    expect(JSON.parse(purge[0]!.berichtIds).sort()).toEqual([...berichten].sort());
    expect(JSON.parse(purge[0]!.trajectIds)).toEqual([oud]);
    const g = bearer(await t.token('gemeente-hengelo'));
    const res = await t.api().get(`/v1/berichten/${berichten[0]}?doel=trajectbegeleiding`).set(...g);
    expect(res.status).toBe(410);
    expect(res.body.verwijderd).toMatchObject({ grond: 'bewaartermijn', logboek: purge[0]!.id });
    expect((await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${lopend}`).set(...g)).body.resultaten[0].inhoud).not.toBeNull();
    const weer = await inProces(['bewaartermijnen', database(), '--uitvoeren']);
    expect(weer.code).toBe(0);
    expect(weer.out).toContain('Totaal: 0 bericht(en) in 0 traject(en), 0 toestemming(en) verwijderd.');
    expect(weer.out).toContain('taalvoortgang: 2 jaar na ontvangst van het bericht (bemiddeling) en 5 jaar na het einde van het traject (trajectbegeleiding)');
    expect((await t.api().get('/v1/logboek/verificatie').set(...bearer(await t.token('fg-hengelo')))).body.geldig).toBe(true);
  });
});
