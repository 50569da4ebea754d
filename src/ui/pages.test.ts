/**
 * The privacy pages speak Dutch about every record: each action of the logboek in its label (never
 * its bare code), the processing activity by its name in the register, the data categories by theirs;
 * and the search form offers the data-category filter with a label and a hint.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIES, type AuditRecord } from '../audit/record.js';
import { ACTIE_LABELS } from './labels.js';
import { recordpagina, zoekpagina, type PageContext } from './pages.js';

const ctx: PageContext = {
  base: '',
  namen: {
    partij: (id) => (id === 'gemeente-hengelo' ? 'Gemeente Hengelo' : (id ?? '—')),
    doel: (id) => (id === 'trajectbegeleiding' ? 'Begeleiding van het inburgeringstraject' : (id ?? '—')),
    berichttype: (id) => id ?? '—',
    regel: () => 'Een regel',
    bijzondereCategorieen: () => [],
    categorie: (id) => ({ 'belemmeringen-en-uitval': 'Belemmeringen en redenen van wijziging of beëindiging', taalniveau: 'Taalniveau en leerroute' }[id] ?? id),
    verwerkingsactiviteit: (uri) => (uri === 'urn:doelpoort:verwerkingsactiviteit:trajectbeheer' ? 'Beheer van inburgeringstrajecten' : null),
  },
  lijsten: { partijen: ['gemeente-hengelo'], doelen: ['trajectbegeleiding'], berichttypen: ['plaatsing'], gegevenscategorieen: ['belemmeringen-en-uitval', 'taalniveau'] },
};

const record = (id: number, actie: AuditRecord['actie']): AuditRecord => ({
  id, recordversie: 2, starttijdstip: '2026-11-20T09:59:59.900Z', tijdstip: '2026-11-20T10:00:00.000Z', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16),
  parentSpanId: null, actie, partij: 'gemeente-hengelo', client: 'gemeente-hengelo', trajectIds: [], berichttype: null, berichtIds: [], doel: null,
  verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:trajectbeheer', grondslag: null, besluit: 'toegestaan', regel: 'r', reden: 'x',
  velden: [], gegevenscategorieen: ['belemmeringen-en-uitval'], status: 200, beleidsversie: 'v', vorigeHash: '0'.repeat(64), hash: '1'.repeat(64),
});

describe('the privacy pages label every action', () => {
  it('the search results show each action by its Dutch label, never its code', () => {
    const rows = AUDIT_ACTIES.map((a, i) => record(i + 1, a));
    const page = zoekpagina(ctx, { filters: {}, fouten: {}, limiet: 50, resultaat: { resultaten: rows, volgende: null } }).value;
    const cellen = [...page.matchAll(/<th scope="row">[\s\S]*?<\/th>\s*<td>[\s\S]*?<\/td>\s*<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.trim());
    expect(cellen).toHaveLength(AUDIT_ACTIES.length);
    expect(cellen).toEqual(AUDIT_ACTIES.map((a) => ACTIE_LABELS[a].replace(/'/g, '&#39;')));
    // The action filter offers every action by its label too.
    for (const a of AUDIT_ACTIES) expect(page).toContain(`<option value="${a}">${ACTIE_LABELS[a].replace(/'/g, '&#39;')}</option>`);
  });

  it('the data-category filter: a labelled select with a hint, the categories by name, the choice kept, an error announced', () => {
    const page = zoekpagina(ctx, { filters: { gegevenscategorie: 'belemmeringen-en-uitval' }, fouten: {}, limiet: 50, resultaat: null }).value;
    expect(page).toContain('<label for="f-gegevenscategorie">Gegevenscategorie</label>');
    expect(page).toMatch(/<select id="f-gegevenscategorie" name="gegevenscategorie" aria-describedby="f-gegevenscategorie-hint">/);
    expect(page).toContain('<option value="belemmeringen-en-uitval" selected>Belemmeringen en redenen van wijziging of beëindiging</option>');
    const fout = zoekpagina(ctx, { filters: { gegevenscategorie: 'x' }, fouten: { gegevenscategorie: 'Kies een gegevenscategorie uit de lijst.' }, limiet: 50, resultaat: null }).value;
    expect(fout).toContain('<a href="#f-gegevenscategorie">Gegevenscategorie: Kies een gegevenscategorie uit de lijst.</a>');
    expect(fout).toMatch(/aria-describedby="f-gegevenscategorie-hint f-gegevenscategorie-fout" aria-invalid="true"/);
  });

  it('one record: the processing activity and the categories by name, start and end, the caller\'s span', () => {
    const page = recordpagina(ctx, { ...record(7, 'traject-openen'), keten: { positie: 7, vorigeHash: '0'.repeat(64), hash: '1'.repeat(64), geldig: true } }).value;
    expect(page).toContain('Beheer van inburgeringstrajecten <span class="mono">(urn:doelpoort:verwerkingsactiviteit:trajectbeheer)</span>');
    expect(page).toContain('<dt>Gegevenscategorieën</dt><dd>Belemmeringen en redenen van wijziging of beëindiging</dd>');
    expect(page).toContain('<dt>Begonnen</dt>');
    expect(page).toContain('<dt>Span-id van de aanroeper</dt><dd>niet meegegeven</dd>');
    // A record of version 1 shows what it has, nothing it lacks.
    const { recordversie: _v, starttijdstip: _s, parentSpanId: _p, gegevenscategorieen: _g, ...oud } = record(8, 'traject-openen');
    const oudPage = recordpagina(ctx, { ...oud, keten: { positie: 8, vorigeHash: '0'.repeat(64), hash: '1'.repeat(64), geldig: true } }).value;
    expect(oudPage).not.toContain('Begonnen');
    expect(oudPage).not.toContain('Gegevenscategorieën');
    expect(oudPage).toContain('<dt>Tijdstip</dt>');
  });
});
