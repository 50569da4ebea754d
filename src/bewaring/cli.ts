/**
 * `npx doelpoort bewaartermijnen [--uitvoeren]`: the retention purge from the command line (wired into
 * the package CLI by `src/cli.ts`). A dry run by default: it lists, per trajectory, the messages whose
 * content would go today (or on `--peildatum`), and the consent records at the end of their own period,
 * and changes nothing. With `--uitvoeren` it removes them exactly as the scheduler does (the same
 * `voerBewaartermijnenUit`, the same lease, the same logboek records) — safe beside a running gateway.
 *
 * The database: a PostgreSQL URL or a data folder (SQLite `doelpoort.db` in it) as argument, else
 * DATABASE_URL, else DOELPOORT_DATA_DIR or ./data. The register: DOELPOORT_POLICY_DIR or the bundled
 * `policies/`, or `--beleid <map>`. Opening the database applies pending migrations, as the gateway does.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliIo, Subcommand } from '../cli.js';
import { projectRoot } from '../config.js';
import { loadPolicies } from '../policy/load.js';
import { loadSchemas } from '../schemas/registry.js';
import { openPostgresStore } from '../store/postgres.js';
import { isPostgresUrl } from '../store/postgres-sql.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { voerBewaartermijnenUit } from './opschoning.js';
import { bewaarregels, termijnTekst } from './termijnen.js';

const HULP = `Gebruik: doelpoort bewaartermijnen [<datamap> | postgres://…] [--uitvoeren] [--peildatum <JJJJ-MM-DD>] [--beleid <map>]

Past de bewaartermijnen van het register toe (policies/doelen.json: bewaartermijn en bewaartermijnVanaf;
zie docs/bewaring.md). Zonder --uitvoeren is het een proefrun: er verandert niets en er komt niets in
het logboek; per traject staat er hoeveel berichten hun inhoud zouden verliezen, en welke toestemmingen
hun eigen termijn voorbij zijn. --peildatum: de proefrun alsof het die dag is (niet met --uitvoeren).

Met --uitvoeren wordt de inhoud verwijderd zoals de gateway dat zelf dagelijks doet: per traject één
logboekrecord, het bericht blijft als grafsteen (id, type, traject, data, wanneer en waarom). Veilig
naast een draaiende gateway, ook met meerdere replica's: elk bericht gaat precies één keer.

De database: een PostgreSQL-URL of een datamap (met doelpoort.db) als argument; anders DATABASE_URL,
anders DOELPOORT_DATA_DIR of ./data. Het register: --beleid, anders DOELPOORT_POLICY_DIR, anders policies/.

Afsluitcode: 0 gelukt, 1 een of meer trajecten mislukten (de volgende run probeert opnieuw) of de run
werd onderbroken, 2 gebruiks- of bestandsfout.

Voorbeelden:
  npx doelpoort bewaartermijnen
  npx doelpoort bewaartermijnen --peildatum 2031-01-01
  npx doelpoort bewaartermijnen postgres://doelpoort@db.example:5432/doelpoort --uitvoeren`;

class UsageError extends Error {}

function parseArgs(args: string[]): { positional: string[]; uitvoeren: boolean; peildatum?: string; beleid?: string } {
  const positional: string[] = [];
  let uitvoeren = false;
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--uitvoeren') uitvoeren = true;
    else if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (name !== 'peildatum' && name !== 'beleid') throw new UsageError(`onbekende optie --${name}`);
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} vraagt een waarde`);
      opts[name] = value;
    } else positional.push(a);
  }
  if (positional.length > 1) throw new UsageError('geef hooguit één database (datamap of postgres://…)');
  if (opts.peildatum !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.peildatum) || Number.isNaN(Date.parse(`${opts.peildatum}T00:00:00Z`))) throw new UsageError('--peildatum is een datum JJJJ-MM-DD');
    if (uitvoeren) throw new UsageError('--peildatum kan alleen bij een proefrun: verwijderen gebeurt altijd per vandaag');
  }
  return { positional, uitvoeren, peildatum: opts.peildatum, beleid: opts.beleid };
}

function zonderWachtwoord(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function openDatabase(arg: string | undefined): Promise<{ store: Store; naam: string }> {
  const doel = arg ?? (isPostgresUrl(process.env.DATABASE_URL) ? process.env.DATABASE_URL : path.resolve(process.env.DOELPOORT_DATA_DIR ?? './data'));
  if (isPostgresUrl(doel)) return { store: await openPostgresStore(doel, { poolMax: 2 }), naam: `${zonderWachtwoord(doel)} (PostgreSQL)` };
  const bestand = path.join(doel, 'doelpoort.db');
  if (!fs.existsSync(bestand)) throw new UsageError(`${bestand} bestaat niet (geef de datamap van de gateway of een postgres://-URL)`);
  return { store: openSqliteStore(bestand), naam: `${bestand} (SQLite)` };
}

export async function bewaartermijnenCommand(args: string[], io: CliIo): Promise<number> {
  let opties: ReturnType<typeof parseArgs>;
  try {
    opties = parseArgs(args);
  } catch (e) {
    io.err(`doelpoort bewaartermijnen: ${(e as Error).message}\n\n${HULP}`);
    return 2;
  }
  const root = projectRoot();
  let policy;
  try {
    policy = loadPolicies(opties.beleid ?? process.env.DOELPOORT_POLICY_DIR ?? path.join(root, 'policies'), loadSchemas(path.join(root, 'schemas')));
  } catch (e) {
    io.err(`doelpoort bewaartermijnen: het register kon niet worden gelezen: ${(e as Error).message}`);
    return 2;
  }
  let db: { store: Store; naam: string };
  try {
    db = await openDatabase(opties.positional[0]);
  } catch (e) {
    io.err(`doelpoort bewaartermijnen: ${(e as Error).message}`);
    return 2;
  }
  try {
    const regels = bewaarregels(policy);
    const rapport = await voerBewaartermijnenUit(db.store, {
      regels, beleidsversie: `${policy.versie}+${policy.hash.slice(0, 16)}`, now: () => new Date(), uitvoeren: opties.uitvoeren, peildatum: opties.peildatum,
      fout: (trajectId, err) => io.err(`  traject ${trajectId}: mislukt (${(err as Error).message}); de volgende run probeert opnieuw`),
    });
    io.out(`Bewaartermijnen per ${rapport.peildatum} — ${db.naam}`);
    io.out(rapport.uitgevoerd ? 'Uitgevoerd: de inhoud hieronder is verwijderd en in het logboek vastgelegd.' : 'Proefrun: er is niets veranderd (--uitvoeren om te verwijderen).');
    const werkwoord = rapport.uitgevoerd ? 'verwijderd' : 'te verwijderen';
    for (const t of rapport.trajecten) {
      const typen = Object.entries(t.perType).map(([type, n]) => `${type} ${n}`).join(', ');
      io.out(`  traject ${t.trajectId} (${t.gemeente}): inhoud van ${t.berichten} bericht(en) ${werkwoord} — ${typen}${t.logboek.length ? ` — logboek ${t.logboek.join(', ')}` : ''}`);
    }
    for (const c of rapport.toestemmingen) io.out(`  toestemming ${c.toestemmingId} (traject ${c.trajectId}, doel ${c.doel}): ${werkwoord}`);
    io.out(`Totaal: ${rapport.berichten} bericht(en) in ${rapport.trajecten.length} traject(en), ${rapport.toestemmingen.length} toestemming(en) ${werkwoord}.`);
    if (!rapport.berichten && !rapport.toestemmingen.length) {
      const typen = [...new Set(policy.regels.flatMap((r) => (r.actie === 'lezen' ? Object.keys(r.projectie ?? {}) : [])))].sort();
      io.out('Termijnen volgens het register:');
      for (const type of typen) io.out(`  ${type}: ${regels.termijnen(type).map(termijnTekst).join(' en ')}`);
    }
    if (rapport.onderbroken) io.out('Onderbroken: een andere replica of run heeft het slot; zij maakt het af.');
    return rapport.fouten.length || rapport.onderbroken ? 1 : 0;
  } catch (e) {
    io.err(`doelpoort bewaartermijnen: ${(e as Error).message}`);
    return 2;
  } finally {
    await db.store.close();
  }
}

export const bewaartermijnen: Subcommand = {
  naam: ['bewaartermijnen'],
  samenvatting: 'pas de bewaartermijnen toe: proefrun, of met --uitvoeren de inhoud verwijderen',
  hulp: HULP,
  run: (args, io) => bewaartermijnenCommand(args, io),
};
