/**
 * The quarter's figures and the CBS delivery as CSV for a spreadsheet: one line per published cell
 * (totals included), every cell through `csvCell` (audit/export.ts), which turns anything a spreadsheet
 * could execute (`=`, `+`, `-`, `@`, tab, CR … also after spaces) into text — the same defence as the
 * logboek export. A suppressed cell has an empty `waarde` and `onderdrukt` = `ja`, never a number.
 */
import { csvCell } from '../audit/export.js';
import type { CbsRegel, Kwartaalcijfers } from './cijfers.js';

const KOLOMMEN = ['kwartaal', 'gemeente', 'tabel', 'titel', 'eenheid', 'rijdimensie', 'rij', 'kolomdimensie', 'kolom', 'waarde', 'onderdrukt'] as const;
export const TOTAAL = 'totaal';

function regel(waarden: readonly unknown[]): string {
  return waarden.map(csvCell).join(',');
}

export function cijfersCsv(c: Kwartaalcijfers): string {
  const regels = [regel(KOLOMMEN)];
  for (const t of c.tabellen) {
    const cel = (rij: string, kolom: string, waarde: number | null) =>
      regels.push(regel([c.kwartaal, c.gemeente, t.id, t.titel, t.eenheid, t.rijen.naam, rij, t.kolommen.naam, kolom, waarde ?? '', waarde === null ? 'ja' : 'nee']));
    t.rijen.codes.forEach((r, i) => {
      t.kolommen.codes.forEach((k, j) => cel(r, k, t.cellen[i]![j]!));
      if (t.rijtotalen) cel(r, t.rijtotaal ?? TOTAAL, t.rijtotalen[i]!);
    });
    if (t.kolomtotalen) t.kolommen.codes.forEach((k, j) => cel(TOTAAL, k, t.kolomtotalen![j]!));
    if (t.totaal !== undefined) cel(TOTAAL, t.rijtotaal ?? TOTAAL, t.totaal);
  }
  return `${regels.join('\r\n')}\r\n`;
}

const CBS_KOLOMMEN = ['trajectId', 'leerroute', 'regime', 'status', 'peildatum', 'urenAanwezig', 'urenGeoorloofdAfwezig', 'urenOngeoorloofdAfwezig'] as const;

/** The CBS delivery, one line per trajectory; no attendance reported in the quarter: empty hours (not 0). */
export function cbsCsv(trajecten: readonly CbsRegel[]): string {
  const regels = [regel(CBS_KOLOMMEN), ...trajecten.map((t) => regel(CBS_KOLOMMEN.map((k) => t[k] ?? '')))];
  return `${regels.join('\r\n')}\r\n`;
}
