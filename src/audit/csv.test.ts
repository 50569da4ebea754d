/** CSV exports: no cell a spreadsheet would execute (OWASP CSV injection). */
import { describe, expect, it } from 'vitest';
import { csvCell } from './export.js';

describe('csvCell', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '\0=1', ' =1', '\u00a0=1', '\uFF1D1', '\uFF20x', '\nx'])(
    '%j is shown as text (leading apostrophe)',
    (v) => {
      const cell = csvCell(v);
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      expect(unquoted.startsWith("'")).toBe(true);
    },
  );

  it('a list whose first item is a formula is defused too; plain values stay as they are', () => {
    expect(csvCell(['=1', 'a']).replace(/^"|"$/g, '').startsWith("'")).toBe(true);
    expect(csvCell('gemeente-hengelo')).toBe('gemeente-hengelo');
    expect(csvCell(12)).toBe('12');
    expect(csvCell('a,b')).toBe('"a,b"');
  });
});
