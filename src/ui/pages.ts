/**
 * UI: the content of each privacy page, as pure functions from API data to escaped HTML — search
 * form and result table, one record with its chain position, verification with the latest
 * checkpoint, the printable inzage report, the weekly overview, and the landing and error pages.
 * Every form field has a label, every table a caption and `<th scope>`, errors are summarised at
 * the top with links to their fields, and nothing needs JavaScript.
 */
import type { Filters, Inzage, Keten, LogboekRecord, Verificatie, Zoekresultaat } from './api.js';
import { LIMIETEN, type Keuzelijsten } from './filters.js';
import { html, queryString, type SafeHtml } from './html.js';
import { AUDIT_ACTIES } from '../audit/record.js';
import { actieLabel } from './labels.js';
import { datum, tijd } from './layout.js';
import type { GesignaleerdeRij } from './signalen.js';

/** Display names from the registry; unknown ids are shown as they are. */
export interface Namen {
  partij(id: string | null | undefined): string;
  doel(id: string | null | undefined): string;
  berichttype(id: string | null | undefined): string;
  /** The Dutch label of a rule (a deployment's own rule: its toelichting). */
  regel(id: string): string;
  /** The special categories of personal data (AVG art. 9) among a record's fields, by name; empty when none. */
  bijzondereCategorieen(berichttype: string | null, velden: readonly string[]): string[];
  /** The Dutch name of a data category. */
  categorie(id: string): string;
  /** The name of a processing activity of the register (a doel or one of the gateway's own), by its URI; null when unknown. */
  verwerkingsactiviteit(uri: string): string | null;
}

export interface PageContext {
  base: string;
  namen: Namen;
  lijsten: Keuzelijsten;
}

const actieNaam = actieLabel;

const VELD_LABELS: Record<string, string> = {
  trajectId: 'Traject-id',
  partij: 'Partij',
  doel: 'Doel',
  berichttype: 'Berichttype',
  besluit: 'Besluit',
  actie: 'Actie',
  weigering: 'Soort weigering',
  gegevenscategorie: 'Gegevenscategorie',
  vanaf: 'Vanaf (datum)',
  tot: 'Tot en met (datum)',
};

/** The error summary at the top of a form (WCAG 3.3.1): each error links to its field. */
export function foutoverzicht(fouten: Record<string, string>, titel = 'Er is een probleem met de zoekopdracht'): SafeHtml | null {
  const entries = Object.entries(fouten);
  if (!entries.length) return null;
  return html`<div class="melding fout" role="alert" id="foutoverzicht">
    <h2>${titel}</h2>
    <ul>${entries.map(([veld, reden]) => html`<li><a href="#f-${veld}">${VELD_LABELS[veld] ?? veld}: ${reden}</a></li>`)}</ul>
  </div>`;
}

function veldAttrs(naam: string, fouten: Record<string, string>, hint: boolean): SafeHtml {
  const ids = [hint ? `f-${naam}-hint` : null, fouten[naam] ? `f-${naam}-fout` : null].filter(Boolean).join(' ');
  return html` id="f-${naam}" name="${naam}"${ids ? html` aria-describedby="${ids}"` : null}${fouten[naam] ? html` aria-invalid="true"` : null}`;
}

function veldFout(naam: string, fouten: Record<string, string>): SafeHtml | null {
  return fouten[naam] ? html`<span class="fout" id="f-${naam}-fout"><span class="visueel-verborgen">Fout: </span>${fouten[naam]}</span>` : null;
}

function tekstveld(naam: string, label: string, waarde: string | undefined, fouten: Record<string, string>, o: { hint?: string; type?: string } = {}): SafeHtml {
  return html`<div class="veld">
    <label for="f-${naam}">${label}</label>
    ${o.hint ? html`<span class="hint" id="f-${naam}-hint">${o.hint}</span>` : null}
    ${veldFout(naam, fouten)}
    <input type="${o.type ?? 'text'}"${veldAttrs(naam, fouten, Boolean(o.hint))} value="${waarde ?? ''}" autocomplete="off" spellcheck="false">
  </div>`;
}

function keuzeveld(naam: string, label: string, waarde: string | undefined, opties: { waarde: string; tekst: string }[], fouten: Record<string, string>, leeg = '(alle)', hint?: string): SafeHtml {
  return html`<div class="veld">
    <label for="f-${naam}">${label}</label>
    ${hint ? html`<span class="hint" id="f-${naam}-hint">${hint}</span>` : null}
    ${veldFout(naam, fouten)}
    <select${veldAttrs(naam, fouten, Boolean(hint))}>
      ${leeg ? html`<option value="">${leeg}</option>` : null}
      ${opties.map((o) => html`<option value="${o.waarde}"${o.waarde === waarde ? html` selected` : null}>${o.tekst}</option>`)}
    </select>
  </div>`;
}

function besluitTekst(besluit: string): SafeHtml {
  return besluit === 'geweigerd' ? html`<span class="geweigerd">geweigerd</span>` : html`<span class="toegestaan">${besluit}</span>`;
}

function trajecten(ids: string[]): SafeHtml {
  if (!ids.length) return html`—`;
  return html`${ids.map((id, i) => html`${i ? html`<br>` : null}<span class="mono id">${id}</span>`)}`;
}

export interface ZoekView {
  filters: Filters;
  fouten: Record<string, string>;
  limiet: number;
  volgende?: string;
  resultaat: Zoekresultaat | null;
  /** An error of the API itself (not of a field). */
  melding?: string | null;
}

export function zoekpagina(c: PageContext, v: ZoekView): SafeHtml {
  const f = v.filters;
  const b = c.base;
  const opties = (ids: readonly string[], naam: (id: string) => string) => ids.map((id) => ({ waarde: id, tekst: naam(id) }));
  const form = html`<form method="get" action="${b}/privacy/logboek" role="search" aria-label="Logboek doorzoeken">
    <fieldset>
      <legend>Zoekfilters (alle optioneel)</legend>
      <div class="velden">
        ${tekstveld('trajectId', 'Traject-id', f.trajectId, v.fouten, { hint: 'De UUID van het inburgeringstraject.' })}
        ${keuzeveld('partij', 'Partij', f.partij, opties(c.lijsten.partijen, c.namen.partij), v.fouten)}
        ${keuzeveld('doel', 'Doel', f.doel, opties(c.lijsten.doelen, c.namen.doel), v.fouten)}
        ${keuzeveld('berichttype', 'Berichttype', f.berichttype, opties(c.lijsten.berichttypen, c.namen.berichttype), v.fouten)}
        ${keuzeveld('besluit', 'Besluit', f.besluit, [{ waarde: 'toegestaan', tekst: 'toegestaan' }, { waarde: 'geweigerd', tekst: 'geweigerd' }], v.fouten)}
        ${keuzeveld('actie', 'Actie', f.actie, AUDIT_ACTIES.map((a) => ({ waarde: a, tekst: actieLabel(a) })), v.fouten)}
        ${keuzeveld('weigering', 'Soort weigering', f.weigering, [{ waarde: 'beleid', tekst: 'door het beleid' }, { waarde: 'invoer', tekst: 'invoerfout van de partij' }], v.fouten)}
        ${keuzeveld('gegevenscategorie', 'Gegevenscategorie', f.gegevenscategorie, opties(c.lijsten.gegevenscategorieen, c.namen.categorie), v.fouten, '(alle)',
          'Wie las of leverde gegevens uit deze categorie? Kies bijvoorbeeld ook Besluit: toegestaan.')}
        ${tekstveld('vanaf', 'Vanaf (datum)', f.vanaf, v.fouten, { type: 'date' })}
        ${tekstveld('tot', 'Tot en met (datum)', f.tot, v.fouten, { type: 'date' })}
        ${keuzeveld('limiet', 'Regels per pagina', String(v.limiet), LIMIETEN.map((l) => ({ waarde: String(l), tekst: String(l) })), v.fouten, '')}
      </div>
    </fieldset>
    <div class="knoppen">
      <button type="submit">Zoeken</button>
      <a class="knop secundair" href="${b}/privacy/logboek">Filters wissen</a>
    </div>
  </form>`;

  const filterQuery = { ...f, limiet: String(v.limiet) } as Record<string, string | undefined>;
  let resultaten: SafeHtml | null = null;
  if (v.resultaat) {
    const rows = v.resultaat.resultaten;
    resultaten = html`<h2 id="resultaten">Resultaten</h2>
      ${rows.length === 0
        ? html`<p>Geen logboekregels gevonden met deze filters.</p>`
        : html`<div class="tabel-scroll" role="region" aria-labelledby="resultaten-bijschrift" tabindex="0">
          <table>
            <caption id="resultaten-bijschrift">${rows.length} logboekregel${rows.length === 1 ? '' : 's'} op deze pagina, nieuwste eerst</caption>
            <thead><tr>
              <th scope="col">Nr.</th><th scope="col">Tijdstip</th><th scope="col">Actie</th><th scope="col">Partij</th>
              <th scope="col">Traject</th><th scope="col">Berichttype</th><th scope="col">Doel</th><th scope="col">Besluit</th><th scope="col">Regel</th>
            </tr></thead>
            <tbody>${rows.map((r) => html`<tr>
              <th scope="row"><a href="${b}/privacy/logboek/${r.id}" aria-label="Logboekregel ${r.id} bekijken">${r.id}</a></th>
              <td>${tijd(r.tijdstip)}</td>
              <td>${actieNaam(r.actie)}</td>
              <td>${r.partij ? c.namen.partij(r.partij) : '—'}</td>
              <td>${trajecten(r.trajectIds)}</td>
              <td>${r.berichttype ? c.namen.berichttype(r.berichttype) : '—'}${c.namen.bijzondereCategorieen(r.berichttype, r.velden).length ? html`<br><span class="bijzonder">bijzonder persoonsgegeven (art. 9 AVG)</span>` : null}</td>
              <td>${r.doel ? c.namen.doel(r.doel) : '—'}</td>
              <td>${besluitTekst(r.besluit)}</td>
              <td>${r.regel ? c.namen.regel(r.regel) : '—'}</td>
            </tr>`)}</tbody>
          </table>
        </div>`}
      ${v.volgende || v.resultaat.volgende
        ? html`<nav class="paginering" aria-label="Paginering">
          ${v.volgende ? html`<a href="${b}/privacy/logboek${queryString(filterQuery)}">Eerste pagina</a>` : null}
          ${v.resultaat.volgende ? html`<a href="${b}/privacy/logboek${queryString({ ...filterQuery, volgende: v.resultaat.volgende })}" rel="next">Volgende pagina</a>` : null}
        </nav>`
        : null}
      ${f.trajectId ? html`<p><a href="${b}/privacy/inzage${queryString({ trajectId: f.trajectId })}">Inzagerapport voor dit traject</a></p>` : null}
      <h2 id="exporteren">Exporteren</h2>
      <p>Exporteer alle logboekregels die aan deze filters voldoen, niet alleen deze pagina. Ook de export wordt in het logboek vastgelegd.</p>
      <form method="get" action="${b}/privacy/logboek/export" aria-labelledby="exporteren">
        ${Object.entries(f).map(([k, val]) => (val ? html`<input type="hidden" name="${k}" value="${val}">` : null))}
        <div class="knoppen">
          <button type="submit" name="formaat" value="csv">Exporteer als CSV</button>
          <button type="submit" name="formaat" value="jsonl" class="secundair">Exporteer als JSON Lines</button>
          <button type="submit" name="formaat" value="ldv" class="secundair">Exporteer als Logboek Dataverwerkingen (LDV)</button>
        </div>
      </form>`;
  }
  return html`<p>Zoek in het logboek naar wie welke gegevens heeft gepubliceerd of gelezen, wanneer, voor welk doel en met welk besluit.
      U ziet de regels waarin uw organisatie handelde, en de regels over gegevens die uw organisatie leverde of beheert.</p>
    ${foutoverzicht(v.fouten)}
    ${v.melding ? html`<div class="melding fout" role="alert"><p>${v.melding}</p></div>` : null}
    ${form}
    ${resultaten}`;
}

function rij(label: string, waarde: SafeHtml | string | number | null | undefined): SafeHtml {
  return html`<dt>${label}</dt><dd>${waarde === null || waarde === undefined || waarde === '' ? '—' : waarde}</dd>`;
}

export function recordpagina(c: PageContext, r: LogboekRecord & { keten: Keten }): SafeHtml {
  const b = c.base;
  const k = r.keten;
  const bijzonder = c.namen.bijzondereCategorieen(r.berichttype, r.velden);
  return html`<p><a href="${b}/privacy/logboek">Terug naar zoeken</a></p>
    ${k.geldig
      ? html`<div class="melding goed"><p><strong>Deze regel klopt met de keten:</strong> de hash is opnieuw berekend en sluit aan op de vorige regel.</p></div>`
      : html`<div class="melding fout" role="alert"><p><strong>Deze regel klopt niet met de keten.</strong> De regel of een regel ervoor is gewijzigd, verwijderd of ingevoegd. Zie <a href="${b}/privacy/verificatie">Verificatie</a>.</p></div>`}
    <h2 id="wat">Wat er gebeurde</h2>
    <dl class="record" aria-labelledby="wat">
      ${rij('Regelnummer', r.id)}
      ${r.starttijdstip ? rij('Begonnen', tijd(r.starttijdstip)) : null}
      ${rij(r.starttijdstip ? 'Afgerond (tijdstip)' : 'Tijdstip', tijd(r.tijdstip))}
      ${rij('Actie', html`${actieNaam(r.actie)} <span class="mono">(${r.actie})</span>`)}
      ${rij('Partij', r.partij ? html`${c.namen.partij(r.partij)} <span class="mono">(${r.partij})</span>` : null)}
      ${rij('Client', r.client ? html`<span class="mono">${r.client}</span>` : null)}
      ${rij('Traject(en)', r.trajectIds.length ? html`${r.trajectIds.map((id, i) => html`${i ? html`<br>` : null}<a class="mono" href="${b}/privacy/logboek${queryString({ trajectId: id })}">${id}</a>`)}` : null)}
      ${rij('Berichttype', r.berichttype ? c.namen.berichttype(r.berichttype) : null)}
      ${rij("Bericht-id's", r.berichtIds.length ? html`${r.berichtIds.map((id, i) => html`${i ? html`<br>` : null}<span class="mono">${id}</span>`)}` : null)}
      ${rij('Doel', r.doel ? html`${c.namen.doel(r.doel)} <span class="mono">(${r.doel})</span>` : null)}
      ${rij('Verwerkingsactiviteit', r.verwerkingsactiviteit
        ? html`${c.namen.verwerkingsactiviteit(r.verwerkingsactiviteit) ?? 'Onbekende verwerkingsactiviteit'} <span class="mono">(${r.verwerkingsactiviteit})</span>`
        : null)}
      ${rij('Grondslag', r.grondslag)}
      ${rij('Besluit', besluitTekst(r.besluit))}
      ${rij('Regel', r.regel ? html`${c.namen.regel(r.regel)} <span class="mono">(${r.regel})</span>` : null)}
      ${rij('Reden', r.reden)}
      ${rij('Verstrekte of opgeslagen velden (alleen namen)', r.velden.length ? html`${r.velden.map((v, i) => html`${i ? ', ' : null}<code>${v}</code>`)}` : null)}
      ${r.gegevenscategorieen ? rij('Gegevenscategorieën', r.gegevenscategorieen.length ? r.gegevenscategorieen.map((id) => c.namen.categorie(id)).join(', ') : 'geen') : null}
      ${bijzonder.length ? rij('Bijzondere persoonsgegevens', html`<strong class="bijzonder">Ja: ${bijzonder.join(', ')}</strong> — een bijzondere categorie persoonsgegevens (artikel 9 AVG)`) : null}
      ${rij('HTTP-status', r.status)}
      ${rij('Beleidsversie', html`<span class="mono">${r.beleidsversie}</span>`)}
      ${rij('Trace-id', html`<span class="mono">${r.traceId}</span>`)}
      ${rij('Span-id', html`<span class="mono">${r.spanId}</span>`)}
      ${r.recordversie ? rij('Span-id van de aanroeper', r.parentSpanId ? html`<span class="mono">${r.parentSpanId}</span>` : 'niet meegegeven') : null}
    </dl>
    <h2 id="keten">Plaats in de keten</h2>
    <dl class="record" aria-labelledby="keten">
      ${rij('Positie', k.positie)}
      ${rij('Hash van de vorige regel', html`<span class="mono">${k.vorigeHash}</span>`)}
      ${rij('Hash van deze regel', html`<span class="mono">${k.hash}</span>`)}
      ${rij('Klopt met de keten', k.geldig ? 'ja' : html`<span class="geweigerd">nee</span>`)}
    </dl>
    <p>Elke hash is SHA-256 over de canonieke JSON (RFC 8785) van de regel inclusief de hash van de vorige regel;
      een wijziging ergens in de keten verandert alle hashes erna.</p>`;
}

export function verificatiepagina(c: PageContext, v: Verificatie): SafeHtml {
  const cp = v.controlepunt;
  return html`${v.geldig
      ? html`<div class="melding goed"><h2>Het logboek is ongeschonden</h2><p>Alle ${v.aantal} regels zijn opnieuw berekend: geen regel is gewijzigd, verwijderd, ingevoegd of van plaats verwisseld${cp ? ', en het logboek is niet ingekort ten opzichte van het laatste controlepunt' : ''}.</p></div>`
      : html`<div class="melding fout" role="alert"><h2>Het logboek is NIET ongeschonden</h2>
          ${v.eersteFout ? html`<p>De eerste fout zit bij regel <strong>${v.eersteFout.id}</strong>: ${v.eersteFout.reden}</p>` : html`<p>De verificatie vond een fout.</p>`}
          <p>Bewaar een export en neem contact op met de beheerder van Doelpoort.</p></div>`}
    <h2 id="keten">De keten</h2>
    <dl class="record" aria-labelledby="keten">
      ${rij('Aantal regels', v.aantal)}
      ${rij('Hash van de laatste regel', html`<span class="mono">${v.laatsteHash}</span>`)}
      ${rij('Eerste fout', v.eersteFout ? html`regel ${v.eersteFout.id}: ${v.eersteFout.reden}` : 'geen')}
    </dl>
    <h2 id="controlepunt">Laatste controlepunt</h2>
    ${cp
      ? html`<p>Een controlepunt is een ondertekende verklaring (JWS, ES256) van Doelpoort over het aantal regels en de laatste hash op een moment.
          Wie het logboek later inkort of herschrijft, kan het controlepunt niet opnieuw ondertekenen.
          De publieke sleutels staan op <a href="${c.base}/v1/logboek/sleutels"><code>/v1/logboek/sleutels</code></a>.</p>
        <dl class="record" aria-labelledby="controlepunt">
          ${rij('Controlepunt', cp.id)}
          ${rij('Tijdstip', tijd(cp.tijdstip))}
          ${rij('Aantal regels op dat moment', cp.aantal)}
          ${rij('Hash van de laatste regel op dat moment', html`<span class="mono">${cp.laatsteHash}</span>`)}
          ${rij('Regels na dit controlepunt', Math.max(0, v.aantal - cp.aantal))}
        </dl>
        <h3 id="jws">Ondertekende verklaring (JWS)</h3>
        <pre class="jws" aria-labelledby="jws" tabindex="0">${cp.jws}</pre>`
      : html`<p>Er is nog geen controlepunt gezet.</p>`}`;
}

export function inzageformulier(c: PageContext, trajectId: string | undefined, fouten: Record<string, string>): SafeHtml {
  return html`<form method="get" action="${c.base}/privacy/inzage" class="niet-afdrukken">
    ${tekstveld('trajectId', 'Traject-id', trajectId, fouten, { hint: 'De UUID van het inburgeringstraject waarover de deelnemer inzage vraagt.' })}
    <div class="knoppen"><button type="submit">Rapport opstellen</button></div>
  </form>`;
}

/** "3 keer, van 20 november 2026 om 10:00 tot 24 november 2026 om 09:15" — or one moment. */
function wanneer(g: { aantal: number; eerste: string; laatste: string }): SafeHtml {
  const moment = (m: string) => {
    const [d, t] = m.split(' ');
    return html`${datum(d)} om ${t}`;
  };
  if (g.aantal === 1) return html`1 keer, op ${moment(g.eerste)}`;
  return html`${g.aantal} keer, van ${moment(g.eerste)} tot ${moment(g.laatste)}`;
}

/**
 * The inzage report as a letter from the gemeente to the participant (B1 Dutch): who received what,
 * when, why and on which basis, for how long, from whom; identical disclosures grouped with a count;
 * the participant's rights and whom to ask. Printed, it is only the letter: no officer's header,
 * menu or forms.
 */
export function inzagepagina(c: PageContext, trajectId: string | undefined, fouten: Record<string, string>, inzage: Inzage | null, melding: string | null): SafeHtml {
  const intro = html`<p class="niet-afdrukken">Het inzagerapport beantwoordt een verzoek om inzage van een deelnemer (artikel 15 AVG)
      als een brief van de gemeente aan de deelnemer: welke organisaties via Doelpoort gegevens over het traject ontvingen, wanneer,
      welke gegevens, waarvoor en waarom dat mocht. Namen van medewerkers en technische gegevens staan er bewust niet in.</p>
    ${foutoverzicht(fouten, 'Er is een probleem met het traject-id')}
    ${melding ? html`<div class="melding fout" role="alert"><p>${melding}</p></div>` : null}`;
  if (!inzage) return html`${intro}${inzageformulier(c, trajectId, fouten)}`;
  const v = inzage.verantwoordelijke;
  const n = inzage.groepen.reduce((som, g) => som + g.aantal, 0);
  return html`${intro}
    ${inzageformulier(c, trajectId, fouten)}
    <p class="niet-afdrukken">Gebruik de afdrukfunctie van uw browser (Ctrl+P of Cmd+P) om deze brief af te drukken of als pdf op te slaan;
      alleen de brief wordt afgedrukt.</p>
    <article class="brief" aria-labelledby="brief-onderwerp">
      <div class="briefhoofd">
        <p class="afzender"><strong>${v.naam}</strong>
          ${v.adres ? html`<br>${v.adres}` : null}
          ${v.telefoon ? html`<br>Telefoon: ${v.telefoon}` : null}
          ${v.email ? html`<br>E-mail: ${v.email}` : null}
          ${v.website ? html`<br>${v.website}` : null}</p>
        <p class="briefdatum">Datum: ${datum(inzage.opgesteldOp)}</p>
      </div>
      <h2 id="brief-onderwerp">Uw vraag: welke gegevens over u zijn gedeeld?</h2>
      <p>Beste deelnemer,</p>
      <p>U wilde weten welke gegevens over uw inburgering met andere organisaties zijn gedeeld. Dat mag u altijd vragen.
        Dat staat in artikel 15 van de Algemene verordening gegevensbescherming (AVG).
        In deze brief leest u wie uw gegevens kreeg, welke gegevens, wanneer, waarvoor, waarom dat mocht en hoe lang ze bewaard mogen worden.</p>
      <p>Het gaat om uw inburgeringstraject met nummer <span class="mono">${inzage.trajectId}</span>.</p>
      ${n === 0
        ? html`<p><strong>Via Doelpoort zijn geen gegevens over u met andere organisaties gedeeld.</strong></p>`
        : html`<p>Uw gegevens zijn <strong>${n} keer</strong> gedeeld. Als dezelfde gegevens vaker naar dezelfde organisatie gingen, staat dat hieronder één keer, met hoe vaak.</p>
          ${inzage.groepen.map((g, i) => html`<section class="verstrekking" aria-labelledby="groep-${i}">
            <h3 id="groep-${i}">${g.ontvanger} kreeg gegevens van ${g.herkomst}</h3>
            <dl class="record">
              ${rij('Welke gegevens', html`${g.gegevens.join(', ')}${g.bijzondereGegevens ? html`<br><strong>Hierbij zat een bijzonder persoonsgegeven</strong> (over uw gezondheid; artikel 9 AVG).` : null}`)}
              ${rij('Wanneer', wanneer(g))}
              ${rij('Waarvoor', g.doel)}
              ${rij('Waarom dat mocht', html`${g.grondslagUitleg} <span class="klein">(${g.grondslag})</span>`)}
              ${rij('Waar de gegevens vandaan kwamen', g.herkomst)}
              ${rij('Hoe lang bewaard', `${g.bewaartermijn}, daarna worden ze verwijderd`)}
            </dl>
          </section>`)}`}
      ${inzage.volgende ? html`<p><strong>Deze brief is niet volledig:</strong> uw gegevens zijn vaker gedeeld dan hier past. Vraag ons om de rest van het overzicht.</p>` : null}
      <h3 id="rechten">Wat u kunt doen</h3>
      <ul aria-labelledby="rechten">${inzage.rechten.map((r) => html`<li>${r}</li>`)}</ul>
      <h3 id="contact">Vragen?</h3>
      <p>Neem contact op met ${v.naam}${v.telefoon ? html`, telefoon ${v.telefoon}` : null}${v.email ? html`, e-mail ${v.email}` : null}.
        ${v.functionarisGegevensbescherming ? html`U kunt ook de functionaris gegevensbescherming van de gemeente mailen: ${v.functionarisGegevensbescherming}.` : null}</p>
      <p>Met vriendelijke groet,</p>
      <p>${v.naam}</p>
    </article>`;
}

export function overzichtpagina(c: PageContext, periode: { vanaf: string; tot: string }, fouten: Record<string, string>, rijen: GesignaleerdeRij[] | null, melding: string | null): SafeHtml {
  const opvallend = rijen?.filter((r) => r.signalen.length) ?? [];
  const form = html`<form method="get" action="${c.base}/privacy/overzicht">
    <fieldset><legend>Periode</legend><div class="velden">
      ${tekstveld('vanaf', 'Vanaf (datum)', periode.vanaf, fouten, { type: 'date' })}
      ${tekstveld('tot', 'Tot en met (datum)', periode.tot, fouten, { type: 'date' })}
    </div></fieldset>
    <div class="knoppen"><button type="submit">Overzicht tonen</button></div>
  </form>`;
  /** A count that links to the logboek search listing exactly those records. */
  const telling = (r: GesignaleerdeRij, n: number, soort: 'gelezen' | 'beleid' | 'invoer', klasse?: string): SafeHtml => {
    if (n === 0) return html`0`;
    const { maandag, zondag } = weekDagen(r.week);
    const q = queryString({
      partij: r.partij === 'onbekend' ? undefined : r.partij, doel: r.doel ?? undefined, actie: r.actie,
      besluit: soort === 'gelezen' ? 'toegestaan' : 'geweigerd', weigering: soort === 'gelezen' ? undefined : soort, vanaf: maandag, tot: zondag,
    });
    const wat = soort === 'gelezen' ? 'keer gelezen' : soort === 'beleid' ? 'geweigerd door het beleid' : 'invoerfouten';
    return html`<a href="${c.base}/privacy/logboek${q}"${klasse ? html` class="${klasse}"` : null} aria-label="${n} ${wat}: ${actieLabel(r.actie)}, ${c.namen.partij(r.partij)}, ${weekNaam(r.week)}; toon in het logboek">${n}</a>`;
  };
  const tabel = rijen
    ? rijen.length === 0
      ? html`<p>Geen leesacties of weigeringen in deze periode.</p>`
      : html`<div class="tabel-scroll" role="region" aria-labelledby="overzicht-bijschrift" tabindex="0"><table>
        <caption id="overzicht-bijschrift">Leesacties, weigeringen door het beleid en invoerfouten per week, partij, actie en doel; elk getal opent de bijbehorende logboekregels</caption>
        <thead><tr><th scope="col">Week</th><th scope="col">Partij</th><th scope="col">Actie</th><th scope="col">Doel</th>
          <th scope="col" class="getal">Gelezen</th><th scope="col" class="getal">Geweigerd door beleid</th><th scope="col" class="getal">Invoerfouten</th><th scope="col">Opvallend</th></tr></thead>
        <tbody>${rijen.map((r) => html`<tr${r.signalen.length ? html` class="opvallend"` : null}>
          <th scope="row">${weekNaam(r.week)}</th>
          <td>${c.namen.partij(r.partij)}</td>
          <td>${actieLabel(r.actie)}</td>
          <td>${r.doel ? c.namen.doel(r.doel) : '—'}</td>
          <td class="getal">${telling(r, r.gelezen, 'gelezen')}</td>
          <td class="getal">${telling(r, r.geweigerd, 'beleid', 'geweigerd')}</td>
          <td class="getal">${telling(r, r.invoerfouten, 'invoer')}</td>
          <td>${r.signalen.length ? html`<span class="opvallend-tekst">Let op:</span> ${r.signalen.map((s) => s.tekst).join('; ')}` : '—'}</td>
        </tr>`)}</tbody>
      </table></div>`
    : null;
  return html`<p>Per week hoe vaak elke partij voor elk doel gegevens las, hoe vaak het beleid een poging weigerde, en hoe vaak een
      partij een fout in haar eigen verzoek maakte (invoerfouten: ongeldige invoer, een conflict, te groot; geen beleidsweigering).
      Regels met weigeringen door het beleid, een ongebruikelijk hoog aantal leesacties of een nieuw doel staan gemarkeerd met "Let op".</p>
    ${foutoverzicht(fouten, 'Er is een probleem met de periode')}
    ${melding ? html`<div class="melding fout" role="alert"><p>${melding}</p></div>` : null}
    ${form}
    ${rijen
      ? html`<h2 id="samenvatting">Samenvatting</h2>
        <p>${opvallend.length === 0 ? 'Niets opvallends in deze periode.' : `${opvallend.length} opvallende ${opvallend.length === 1 ? 'regel' : 'regels'} in deze periode.`}</p>`
      : null}
    ${tabel}`;
}

/** The Monday and Sunday (YYYY-MM-DD) of an ISO week such as "2026-W47". */
export function weekDagen(week: string): { maandag: string; zondag: string } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return { maandag: '', zondag: '' };
  const jan4 = new Date(Date.UTC(Number(m[1]), 0, 4));
  const maandag = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000 + (Number(m[2]) - 1) * 7 * 86_400_000);
  const zondag = new Date(maandag.getTime() + 6 * 86_400_000);
  return { maandag: maandag.toISOString().slice(0, 10), zondag: zondag.toISOString().slice(0, 10) };
}

/** "2026-W47" → "week 47 van 2026". */
export function weekNaam(week: string): string {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  return m ? `week ${Number(m[2])} van ${m[1]}` : week;
}

export function startpagina(base: string, uitgelogd: boolean): SafeHtml {
  return html`${uitgelogd ? html`<div class="melding goed" role="status"><p>U bent uitgelogd.</p></div>` : null}
    <p>Met deze pagina's beantwoordt u als functionaris gegevensbescherming snel en aantoonbaar wie welke gegevens over een deelnemer
      ontving, wanneer, voor welk doel en op welke grondslag — en toont u aan dat het logboek niet is gewijzigd.</p>
    <p><a class="knop" href="${base}/privacy/inloggen">Inloggen</a></p>`;
}

export function meldingpagina(tekst: string, link?: { href: string; tekst: string }): SafeHtml {
  return html`<p>${tekst}</p>${link ? html`<p><a href="${link.href}">${link.tekst}</a></p>` : null}`;
}
