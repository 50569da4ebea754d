/**
 * The `doelpoort` command line: a small dispatcher over subcommands. Each concern that offers a
 * command exports a `Subcommand` from its own folder and adds it to `SUBCOMMANDS` below — one line.
 *
 *   npx doelpoort valideer bericht.json
 *   npx doelpoort logboek verifieer data/doelpoort.db
 *   npx doelpoort logboek verifieer postgres://doelpoort@db.example:5432/doelpoort   (or DATABASE_URL)
 *   npx doelpoort bewaartermijnen [--uitvoeren]
 *
 * Exit codes, for every subcommand: 0 success, 1 the input was checked and is wrong, 2 usage or
 * file errors.
 */
import { logboek } from './audit/cli.js';
import { bewaartermijnen } from './bewaring/cli.js';
import { valideer } from './schemas/cli.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface Subcommand {
  /** The words that select it: `['valideer']`, or `['logboek', 'verifieer']` for a nested one. */
  naam: readonly string[];
  /** One line for the overview. */
  samenvatting: string;
  /** The full help text: usage line, arguments, examples. */
  hulp: string;
  /** Runs with the arguments after the name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Every subcommand. Add yours here. */
export const SUBCOMMANDS: readonly Subcommand[] = [valideer, logboek, bewaartermijnen];

export const EXIT = { ok: 0, ongeldig: 1, gebruik: 2 } as const;

function overzicht(): string {
  const width = Math.max(...SUBCOMMANDS.map((c) => c.naam.join(' ').length));
  return [
    'Gebruik: doelpoort <opdracht> [argumenten]',
    '',
    'Opdrachten:',
    ...SUBCOMMANDS.map((c) => `  ${c.naam.join(' ').padEnd(width)}  ${c.samenvatting}`),
    '',
    'Meer over een opdracht: doelpoort <opdracht> --help',
  ].join('\n');
}

/** The subcommand whose name is the longest prefix of `args`. */
export function kiesOpdracht(args: readonly string[]): { opdracht: Subcommand; rest: string[] } | undefined {
  const matches = SUBCOMMANDS.filter((c) => c.naam.every((w, i) => args[i] === w)).sort((a, b) => b.naam.length - a.naam.length);
  const opdracht = matches[0];
  return opdracht ? { opdracht, rest: args.slice(opdracht.naam.length) } : undefined;
}

export async function main(args: string[], io: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }): Promise<number> {
  if (args.length === 0) {
    io.err(overzicht());
    return EXIT.gebruik;
  }
  if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    io.out(overzicht());
    return EXIT.ok;
  }
  const gekozen = kiesOpdracht(args);
  if (!gekozen) {
    io.err(`Onbekende opdracht: ${args[0]}\n\n${overzicht()}`);
    return EXIT.gebruik;
  }
  if (gekozen.rest.includes('--help') || gekozen.rest.includes('-h')) {
    io.out(gekozen.opdracht.hulp);
    return EXIT.ok;
  }
  return gekozen.opdracht.run(gekozen.rest, io);
}
