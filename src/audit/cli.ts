/**
 * `npx doelpoort logboek …`: the logboek's offline commands (wired into the package CLI by `src/cli.ts`).
 *
 *   verifieer [<bestand> | postgres://…] [--sleutels <jwks.json>] [--controlepunt <bestand>]
 *       Verify a database file (read-only; nothing in it changes), a PostgreSQL database (the URL as
 *       argument, or DATABASE_URL when no argument is given; only read) or a JSONL export. Exit 0 valid,
 *       1 not valid, 2 usage or unreadable file.
 *   exporteer [<database> | postgres://…] [--uit <bestand>] [--formaat jsonl|ldv]
 *       Write the complete logboek of a database file or PostgreSQL database as JSONL (chain, checkpoints,
 *       keys), or with `--formaat ldv` as Logboek Dataverwerkingen ProcessingActivity lines (audit/ldv.ts).
 *   roteer-sleutel [<datamap>]
 *       Start a new checkpoint signing key; old keys stay (public) for verification.
 *
 * Without `--sleutels` the public keys stored in the file itself are used: that proves the file is
 * consistent, not who made it. For an independent check pass the JWKS of `GET /v1/logboek/sleutels`,
 * and a checkpoint kept elsewhere (`GET /v1/logboek/controlepunten/laatste`) with `--controlepunt`.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type * as jose from 'jose';
import { postgresLogboekReader } from '../store/postgres-logboek.js';
import { isPostgresUrl, openPool } from '../store/postgres-sql.js';
import { openSqliteLogboek } from '../store/sqlite-logboek.js';
import type { Controlepunt, LogboekReader } from '../store/store.js';
import { EXPORT_TYPE, ExportManifest, jsonlControlepunt, jsonlKop, jsonlSleutels, recordView, verifieerExport, type ExportKop, type ExportVerificatie } from './export.js';
import { ldvNdjson } from './ldv.js';
import { roteerLogboekSleutel } from './sleutels.js';
import { verifieerKeten, type Verificatie } from './verify.js';

import type { CliIo, Subcommand } from '../cli.js';

export type { CliIo };

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const USAGE = `Gebruik:
  doelpoort logboek verifieer [<database-of-export> | postgres://…] [--sleutels <jwks.json>] [--controlepunt <bestand>]
  doelpoort logboek exporteer [<database> | postgres://…] [--uit <bestand>] [--formaat jsonl|ldv]
  doelpoort logboek roteer-sleutel [<datamap>]

verifieer: controleert de hashketen en de ondertekende controlepunten van een databasebestand of een
JSONL-export en noemt het eerste foute record. Zonder bestand: de PostgreSQL-database uit DATABASE_URL.
Exitcode 0: geldig, 1: ongeldig, 2: gebruik of bestand onleesbaar.

exporteer: het hele logboek als JSONL (standaard; te verifiëren), of met --formaat ldv als regels in het
formaat van Logboek Dataverwerkingen (ProcessingActivity, één regel per betrokkene per record).`;

/** A PostgreSQL database, only read: the logboek reader on a small pool, without running migrations. */
async function openPostgresLogboek(url: string): Promise<LogboekReader & { close(): Promise<void> }> {
  const pool = openPool(url, { max: 2 });
  try {
    const { rows } = await pool.query("SELECT to_regclass('logboek') IS NOT NULL AS er, to_regclass('logboek_controlepunten') IS NOT NULL AS punten");
    if (!rows[0].er) throw new Error('de database bevat geen logboek');
    if (!rows[0].punten) throw new Error('de database is van vóór de controlepunten; start de gateway er eenmaal op');
  } catch (e) {
    await pool.end();
    throw e;
  }
  return { ...postgresLogboekReader(pool), close: () => pool.end() };
}

/** The database the command names: a positional postgres:// URL, or DATABASE_URL when no argument is given. */
function databaseArg(positional: string[], wat: string): string {
  if (positional.length === 0 && isPostgresUrl(process.env.DATABASE_URL)) return process.env.DATABASE_URL;
  if (positional.length !== 1) throw new UsageError(`geef precies één ${wat} (of zet DATABASE_URL)`);
  return positional[0]!;
}

/** Hide a password in a URL before it is printed. */
function zonderWachtwoord(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

class UsageError extends Error {}

function parseArgs(args: string[], flags: readonly string[]): { positional: string[]; opts: Record<string, string> } {
  const positional: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (!flags.includes(name)) throw new UsageError(`onbekende optie --${name}`);
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} vraagt een waarde`);
      opts[name] = value;
    } else positional.push(a);
  }
  return { positional, opts };
}

function firstBytes(file: string, n: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(n);
    const read = fs.readSync(fd, head, 0, n, 0);
    return head.subarray(0, read).toString('latin1');
  } finally {
    fs.closeSync(fd);
  }
}

function isSqlite(file: string): boolean {
  return firstBytes(file, 16) === 'SQLite format 3\u0000';
}

function readJwks(file: string): jose.JSONWebKeySet {
  const jwks = JSON.parse(fs.readFileSync(file, 'utf8')) as jose.JSONWebKeySet;
  if (!Array.isArray(jwks.keys)) throw new UsageError(`${file} is geen JWK Set (verwacht { "keys": [...] })`);
  return jwks;
}

/** A checkpoint kept elsewhere: the JSON of /v1/logboek/controlepunten/laatste, or the bare JWS. */
function readControlepunt(file: string): Controlepunt {
  const text = fs.readFileSync(file, 'utf8').trim();
  const jws = text.startsWith('{') ? String((JSON.parse(text) as { jws?: unknown }).jws ?? '') : text;
  const parts = jws.split('.');
  if (parts.length !== 3) throw new UsageError(`${file} bevat geen controlepunt (compacte JWS)`);
  let payload: { aantal?: number; laatsteHash?: string; tijdstip?: string };
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new UsageError(`${file}: de inhoud van het controlepunt is geen JSON`);
  }
  return { id: 0, aantal: Number(payload.aantal), laatsteHash: String(payload.laatsteHash), tijdstip: String(payload.tijdstip), sleutel: 'extern', jws };
}

function report(io: CliIo, label: string, result: Verificatie | ExportVerificatie, sleutelBron: string): number {
  io.out(`Logboek: ${label}`);
  io.out(`  records:       ${result.aantal}`);
  io.out(`  laatste hash:  ${result.laatsteHash}`);
  if (result.controlepunt) {
    const c = result.controlepunt;
    io.out(`  controlepunt:  ${c.id ? `#${c.id} ` : ''}van ${c.tijdstip}: ${c.aantal} records, sleutel ${c.sleutel} — ${c.geldig ? 'klopt' : 'KLOPT NIET'}`);
  } else {
    io.out('  controlepunt:  geen (afkappen van de staart is niet te controleren)');
  }
  if ('manifest' in result && result.manifest) io.out(`  slotregel:     ${result.manifest.geldig ? 'ondertekend en klopt' : `KLOPT NIET (${result.manifest.reden ?? 'records wijken af'})`}`);
  io.out(`  sleutels:      ${sleutelBron}`);
  if (result.geldig) {
    io.out('Resultaat: GELDIG');
    return 0;
  }
  const f = result.eersteFout!;
  io.out(`Resultaat: ONGELDIG — eerste fout ${f.id > 0 ? `bij record ${f.id}` : 'in het bestand'}: ${f.reden}`);
  return 1;
}

async function verifieer(args: string[], io: CliIo): Promise<number> {
  const { positional, opts } = parseArgs(args, ['sleutels', 'controlepunt']);
  const file = databaseArg(positional, 'bestand');
  const postgres = isPostgresUrl(file);
  if (!postgres && !fs.existsSync(file)) throw new UsageError(`${file} bestaat niet`);
  const jwks = opts.sleutels ? readJwks(opts.sleutels) : undefined;
  const extra = opts.controlepunt ? [readControlepunt(opts.controlepunt)] : [];
  const sleutelBron = jwks ? `uit ${opts.sleutels}` : `uit ${postgres ? 'de database' : 'het bestand'} zelf (geef --sleutels <JWKS van /v1/logboek/sleutels> voor een onafhankelijke controle)`;

  if (postgres || isSqlite(file)) {
    const reader = postgres ? await openPostgresLogboek(file) : openSqliteLogboek(file);
    try {
      const stored = (await reader.sleutels()).map((k) => JSON.parse(k.jwk) as jose.JWK);
      const result = await verifieerKeten(reader, { controlepunten: [...(await reader.controlepunten()), ...extra], jwks: jwks ?? { keys: stored } });
      return report(io, postgres ? `${zonderWachtwoord(file)} (PostgreSQL)` : `${file} (database)`, result, sleutelBron);
    } finally {
      await reader.close();
    }
  }
  if (!firstBytes(file, 4096).includes(EXPORT_TYPE)) throw new UsageError(`${file} is geen SQLite-database en geen Doelpoort-logboekexport (JSONL)`);
  // Line by line: an archive of a large log does not have to fit in memory as text.
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const result = await verifieerExport(lines, { jwks, extraControlepunten: extra });
  return report(io, `${file} (export, ${result.volledig ? 'volledig: keten en controlepunten gecontroleerd' : 'selectie: records, aansluitende schakels en slotregel gecontroleerd'})`, result, sleutelBron);
}

async function exporteer(args: string[], io: CliIo): Promise<number> {
  const { positional, opts } = parseArgs(args, ['uit', 'formaat']);
  const formaat = opts.formaat ?? 'jsonl';
  if (formaat !== 'jsonl' && formaat !== 'ldv') throw new UsageError(`--formaat moet jsonl of ldv zijn, niet "${formaat}"`);
  const file = databaseArg(positional, 'databasebestand');
  const postgres = isPostgresUrl(file);
  if (!postgres && (!fs.existsSync(file) || !isSqlite(file))) throw new UsageError(`${file} is geen SQLite-database`);
  const reader = postgres ? await openPostgresLogboek(file) : openSqliteLogboek(file);
  const out = opts.uit ? fs.openSync(opts.uit, 'w') : 1;
  const write = (s: string) => fs.writeSync(out, s);
  try {
    if (formaat === 'ldv') {
      // Page by page: a large log never has to fit in memory.
      let na = 0;
      let regels = 0;
      for (;;) {
        const page = await reader.zoeken({ scope: null, na, volgorde: 'oudste-eerst', limit: 5000 });
        const chunk = ldvNdjson(page);
        if (chunk) {
          write(chunk);
          regels += chunk.split('\n').length - 1;
        }
        if (page.length < 5000) break;
        na = page[page.length - 1]!.id;
      }
      if (opts.uit) io.err(`${regels} LDV-regels geschreven naar ${opts.uit}`);
      return 0;
    }
    const kop: ExportKop = { type: EXPORT_TYPE, versie: 1, gemaaktOp: new Date().toISOString(), selectie: {}, volledig: true };
    write(`${jsonlKop(kop)}\n`);
    const manifest = new ExportManifest();
    let na = 0;
    for (;;) {
      const page = await reader.zoeken({ scope: null, na, volgorde: 'oudste-eerst', limit: 5000 });
      let chunk = '';
      for (const r of page) {
        const view = recordView(r);
        chunk += `${JSON.stringify(view)}\n`;
        manifest.add(view);
      }
      if (chunk) write(chunk);
      if (page.length < 5000) break;
      na = page[page.length - 1]!.id;
    }
    for (const c of await reader.controlepunten()) write(`${jsonlControlepunt(c)}\n`);
    write(`${jsonlSleutels({ keys: (await reader.sleutels()).map((k) => JSON.parse(k.jwk) as jose.JWK) })}\n`);
    write(`${await manifest.einde(null, kop)}\n`);
    if (opts.uit) io.err(`${manifest.aantal} records geschreven naar ${opts.uit}`);
    return 0;
  } finally {
    if (opts.uit) fs.closeSync(out as number);
    await reader.close();
  }
}

async function roteer(args: string[], io: CliIo): Promise<number> {
  const { positional } = parseArgs(args, []);
  if (positional.length > 1) throw new UsageError('geef hooguit één datamap');
  const dataDir = path.resolve(positional[0] ?? process.env.DOELPOORT_DATA_DIR ?? './data');
  const set = await roteerLogboekSleutel(dataDir);
  io.out(`Nieuwe logboeksleutel ${set.kid} in ${dataDir}; ${set.jwks.keys.length - 1} oudere sleutel(s) blijven voor verificatie. Herstart de gateway om ermee te ondertekenen.`);
  return 0;
}

/** `doelpoort logboek <subcommando> …`; returns the exit code. */
export async function logboekCommand(args: string[], io: CliIo = defaultIo): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'verifieer': return await verifieer(rest, io);
      case 'exporteer': return await exporteer(rest, io);
      case 'roteer-sleutel': return await roteer(rest, io);
      case undefined: case 'help': case '--help': case '-h':
        io.out(USAGE);
        return sub ? 0 : 2;
      default:
        throw new UsageError(`onbekend subcommando "${sub}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`doelpoort logboek: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`doelpoort logboek: ${(e as Error).message}`);
    return 2;
  }
}

/** `doelpoort logboek …` as a subcommand of the package CLI (`src/cli.ts`). */
export const logboek: Subcommand = {
  naam: ['logboek'],
  samenvatting: 'verifieer, exporteer of onderteken het logboek opnieuw (database of export)',
  hulp: USAGE,
  run: (args, io) => logboekCommand(args, io),
};
