/**
 * Issue 11, the attendance CSV: properties of the pure reader (src/aanlevering/csv.ts) — any valid set
 * of lesson rows becomes contents whose totals are the sums and that pass the schema; formula cells,
 * Latin-1, BOMs, empty lines, quoted separators and 50,000 rows are answered clearly — and
 * `npx doelpoort valideer file.csv` as a real process (the same rules and Dutch messages).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bouwInhoud, csvRegels, leesCsv, type CsvRij } from '../src/aanlevering/csv.js';
import { projectRoot } from '../src/config.js';
import { loadSchemas } from '../src/schemas/registry.js';

const registry = loadSchemas(path.join(projectRoot(), 'schemas'));
const REGELS = csvRegels({ schemas: registry }, '2026-11-02', '2026-11-08');
const KOP = 'kenmerk;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status';

const les = fc.record({
  kenmerk: fc.constantFrom('A-1', 'B-2', 'C;3'),
  dag: fc.nat(6),
  activiteit: fc.constantFrom(...REGELS.activiteiten),
  status: fc.constantFrom(...REGELS.statussen),
  gepland: fc.integer({ min: 1, max: 480 }),
  telaat: fc.integer({ min: 1, max: 60 }),
});
type Les = typeof les extends fc.Arbitrary<infer T> ? T : never;

function rij(l: Les): string {
  const aanwezig = l.status === 'aanwezig' ? l.gepland : l.status === 'te-laat' ? Math.max(0, l.gepland - l.telaat) : 0;
  const status = l.status === 'te-laat' && aanwezig >= l.gepland ? 'aanwezig' : l.status;
  const kenmerk = l.kenmerk.includes(';') ? `"${l.kenmerk}"` : l.kenmerk;
  return `${kenmerk};2026-11-0${2 + l.dag};${l.activiteit};${l.gepland};${aanwezig};${status}`;
}

function groepen(rijen: CsvRij[]) {
  const g = new Map<string, CsvRij[]>();
  for (const r of rijen) g.set(r.sleutel, [...(g.get(r.sleutel) ?? []), r]);
  return g;
}

describe('the attendance CSV (properties)', () => {
  it('any valid set of lesson rows becomes contents whose totals are the sums and pass the schema (with BOM, CRLF, empty lines, quoted separators)', () => {
    fc.assert(fc.property(fc.array(les, { minLength: 1, maxLength: 60 }), fc.boolean(), fc.boolean(), (lessen, bom, crlf) => {
      const nl = crlf ? '\r\n' : '\n';
      const tekst = `${bom ? '\uFEFF' : ''}${KOP}${nl}${lessen.map((l, i) => (i % 7 === 3 ? `${nl}${rij(l)}` : rij(l))).join(nl)}${nl}`;
      const gelezen = leesCsv(Buffer.from(tekst, 'utf8'), REGELS);
      expect(gelezen.bestandsfouten).toEqual([]);
      // te-laat with aanwezig 0 < gepland is valid; every generated row is valid.
      expect(gelezen.fouten).toEqual([]);
      expect(gelezen.rijen).toHaveLength(lessen.length);
      for (const [sleutel, rijen] of groepen(gelezen.rijen)) {
        const { inhoud } = bouwInhoud(rijen, '2026-11-02', '2026-11-08');
        expect(registry.validateInhoud('aanwezigheid', inhoud), sleutel).toEqual([]);
        const som = (k: 'gepland' | 'aanwezig') => inhoud.totalen.reduce((n, t) => n + t.minuten[k], 0);
        expect(som('gepland')).toBe(rijen.reduce((n, r) => n + r.les!.geplandeMinuten, 0));
        expect(som('aanwezig')).toBe(rijen.reduce((n, r) => n + r.les!.aanwezigeMinuten, 0));
        // Row order does not change the content.
        expect(bouwInhoud([...rijen].reverse(), '2026-11-02', '2026-11-08').inhoud).toEqual(inhoud);
      }
      expect(gelezen.rijen.some((r) => r.kenmerk === 'C;3') || !lessen.some((l) => l.kenmerk === 'C;3')).toBe(true);
    }), { numRuns: 100 });
  });

  it('a formula cell in any column is refused with its row and column, and nothing of that row is used', () => {
    fc.assert(fc.property(fc.constantFrom('=', '+', '-', '@', '\t', '\r'), fc.constantFrom(0, 1, 2, 3, 4, 5), fc.string({ maxLength: 8 }), (start, kolom, rest) => {
      const cellen = ['A-1', '2026-11-02', 'formele-taalles', '180', '180', 'aanwezig'];
      cellen[kolom] = `"${start}${rest.replace(/"/g, '""')}"`;
      const gelezen = leesCsv(`${KOP}\n${cellen.join(';')}\n`, REGELS);
      const fout = gelezen.fouten.find((f) => f.melding.includes('formule'));
      expect(fout, JSON.stringify(gelezen)).toMatchObject({ rij: 2, kolom: ['kenmerk', 'datum', 'activiteit', 'geplandeMinuten', 'aanwezigeMinuten', 'status'][kolom] });
      expect(gelezen.rijen.every((r) => r.les === undefined)).toBe(true);
    }));
  });

  it('Latin-1 bytes refuse the file clearly; 50,000 rows refuse it clearly; neither yields a row', () => {
    const latin1 = Buffer.from(`${KOP}\nA-1;2026-11-02;formele-taalles;180;180;aanwezig\nB-\xe9;2026-11-02;formele-taalles;180;180;aanwezig\n`, 'latin1');
    const l = leesCsv(latin1, REGELS);
    expect(l.bestandsfouten[0]).toContain('geen UTF-8');
    expect(l.rijen).toEqual([]);
    const groot = `${KOP}\n${'A-1;2026-11-02;formele-taalles;180;180;aanwezig\n'.repeat(50_000)}`;
    const g = leesCsv(groot, REGELS);
    expect(g.bestandsfouten[0]).toContain('50000 regels');
    expect(g.rijen).toEqual([]);
  });
});

describe('doelpoort valideer on a CSV (a real process)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-csv-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const BIN = path.join(projectRoot(), 'bin', 'doelpoort.js');
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tmp, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('every row error with its line and column, in the gateway\'s words; exit codes 0, 1, 2', () => {
    const goed = path.join(tmp, 'goed.csv');
    fs.writeFileSync(goed, `${KOP}\nA-1;2026-11-02;formele-taalles;180;180;aanwezig\n`);
    expect(run(['valideer', goed, '--van', '2026-11-02', '--tot', '2026-11-08'])).toMatchObject({ code: 0, out: expect.stringContaining('geldig — 1 regel, 1 traject') });
    const fout = path.join(tmp, 'fout.csv');
    fs.writeFileSync(fout, `${KOP}\nA-1;2026-11-02;formele-taalles;180;180;aanwezig\nA-1;2026-11-03;formele-taalles;180;=A1;aanwezig\nB-2;2026-11-20;formele-taalles;180;120;aanwezig\n`);
    const r = run(['valideer', fout, '--van', '2026-11-02', '--tot', '2026-11-08']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('regel 3, kolom aanwezigeMinuten: begint met =');
    expect(r.out).toContain('regel 4, kolom datum: ligt buiten de periode 2026-11-02 – 2026-11-08');
    expect(run(['valideer', fout]).code).toBe(2);
  });
});
