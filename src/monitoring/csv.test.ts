/** The figures as CSV: every cell defused against formula injection, suppressed cells empty and marked. */
import { describe, expect, it } from 'vitest';
import type { Kwartaalcijfers } from './cijfers.js';
import { cbsCsv, cijfersCsv } from './csv.js';

describe('cijfersCsv', () => {
  it('no cell a spreadsheet would execute; a suppressed cell is empty with onderdrukt=ja', () => {
    const c: Kwartaalcijfers = {
      kwartaal: '2026-Q4', gemeente: '=HYPERLINK("x")', doel: 'monitoring', periode: { van: '2026-10-01', tot: '2026-12-31' }, weken: { van: '2026-09-28', tot: '2027-01-03', aantal: 14 },
      peildatum: '2026-12-31', drempel: 10,
      tabellen: [{ id: 't', titel: '@SUM(A1)', eenheid: 'trajecten', rijen: { naam: 'r', codes: ['+a', '-b'] }, kolommen: { naam: 'k', codes: ['aantal'] }, cellen: [[12], [null]], kolomtotalen: [null], onderdrukt: 2 }],
    };
    const regels = cijfersCsv(c).trimEnd().split('\r\n');
    expect(regels).toHaveLength(4);
    for (const r of regels.slice(1)) {
      for (const veld of r.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((v) => v.replace(/,$/, '').replace(/^"|"$/g, ''))) expect(veld).not.toMatch(/^[=+\-@]/);
    }
    expect(regels[2]).toMatch(/,'-b,k,aantal,,ja$/);
    expect(regels[3]).toMatch(/,totaal,k,aantal,,ja$/);
  });

  it('CBS: hours not reported are empty, not 0', () => {
    expect(cbsCsv([{ trajectId: 't', leerroute: 'B1', regime: 'wi2021', status: 'lopend', peildatum: '2026-12-31', urenAanwezig: null, urenGeoorloofdAfwezig: null, urenOngeoorloofdAfwezig: null }]))
      .toBe('trajectId,leerroute,regime,status,peildatum,urenAanwezig,urenGeoorloofdAfwezig,urenOngeoorloofdAfwezig\r\nt,B1,wi2021,lopend,2026-12-31,,,\r\n');
  });
});
