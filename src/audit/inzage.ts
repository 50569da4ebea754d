/**
 * The participant's right of access (AVG art. 15) as a letter a participant can read (B1 Dutch):
 * turns a page of a trajectory's disclosures (from the logboek's index `logboek_verstrekking`) into
 * who received what, when, why, on which legal basis in words, for how long it is kept and where it
 * came from; besides message content it lists the derived disclosures (the state of the trajectory,
 * signals, and notifications to subscribers: metadata only), each with what left in words; groups
 * identical disclosures with a count; adds the controller's name and contact and
 * the participant's rights. Pure: the policy register and the rows in, the report out. No employee
 * or client identities ever appear in it.
 */
import type { PolicySet } from '../policy/load.js';
import type { Doel, Grondslag, Partij } from '../policy/types.js';
import type { Verstrekking } from '../store/store.js';
import type { AFGELEIDE_TYPEN } from './scope.js';

/** How the letter names a derived disclosure (audit/scope.ts) and what of it left, by the record's fields. */
const AFGELEID: Record<(typeof AFGELEIDE_TYPEN)[number], { titel: string; gegevens: (velden: string[]) => string[]; herkomst: string }> = {
  stand: {
    titel: 'Stand van uw traject',
    gegevens: (velden) => {
      const delen: Record<string, string> = {
        taal: 'taalniveaus', mijlpalen: 'behaalde niveaus', aanwezigheid: 'aanwezigheid en verzuim', plaatsingen: 'plaatsingen', examens: 'examenonderdelen',
        aanbieders: 'datum van het laatste bericht per organisatie',
      };
      const genoemd = velden.map((v) => /^\/stand\/([^/]+)/.exec(v)?.[1]).filter((d): d is string => d !== undefined).map((d) => delen[d] ?? d);
      return [`De stand van uw traject${genoemd.length ? `: ${[...new Set(genoemd)].join(', ')}` : ''}`];
    },
    herkomst: 'Doelpoort, afgeleid uit de berichten over uw traject',
  },
  signaal: {
    titel: 'Signaal',
    gegevens: () => ['Signalen over uw traject (soort, datum en nummers van berichten, geen inhoud)'],
    herkomst: 'Doelpoort, afgeleid uit de berichten over uw traject',
  },
  melding: {
    titel: 'Melding',
    gegevens: () => ['Een melding dat er een nieuw bericht of signaal over uw traject is (alleen soort en nummers, geen inhoud)'],
    herkomst: 'Doelpoort',
  },
  'cbs-levering': {
    titel: 'Kwartaallevering aan het CBS',
    gegevens: () => ['Uren aanwezig, geoorloofd en ongeoorloofd afwezig in het kwartaal, uw leerroute, regime en de stand van uw traject'],
    herkomst: 'Doelpoort, afgeleid uit de aanwezigheidsberichten over uw traject',
  },
};
const afgeleid = (berichttype: string, afzender: string) => (afzender === '' && Object.hasOwn(AFGELEID, berichttype) ? AFGELEID[berichttype as keyof typeof AFGELEID] : null);

export interface InzageVerstrekking {
  /** Date (Europe/Amsterdam), YYYY-MM-DD. */
  datum: string;
  /** Time (Europe/Amsterdam), HH:MM. */
  tijd: string;
  ontvanger: string;
  /** The message type's Dutch title (kept for officers; the letter speaks of `gegevens`). */
  berichttype: string;
  /** The data categories of what actually left (the projection), by their Dutch names. */
  gegevens: string[];
  /** Whether a special category of personal data (AVG art. 9) was among them. */
  bijzondereGegevens: boolean;
  doel: string;
  /** The legal basis as cited (article and law). */
  grondslag: string;
  /** The legal basis in words, e.g. "met uw toestemming". */
  grondslagUitleg: string;
  /** How long the recipient may keep it for this doel, in words. */
  bewaartermijn: string;
  /** Where the data came from: the sending organisation. */
  herkomst: string;
}

export interface InzageGroep extends Omit<InzageVerstrekking, 'datum' | 'tijd' | 'berichttype'> {
  aantal: number;
  /** First and last disclosure of the group: date and time. */
  eerste: string;
  laatste: string;
}

export interface Inzagebrief {
  trajectId: string;
  opgesteldOp: string;
  verantwoordelijke: { naam: string } & NonNullable<Partij['contact']>;
  verstrekkingen: InzageVerstrekking[];
  groepen: InzageGroep[];
  rechten: string[];
  /** Cursor to the next page of disclosures; null when this page holds the last. */
  volgende: string | null;
}

const amsterdam = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});

function datumTijd(iso: string): { datum: string; tijd: string } {
  const parts = Object.fromEntries(amsterdam.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { datum: `${parts.year}-${parts.month}-${parts.day}`, tijd: `${parts.hour}:${parts.minute}` };
}

/** The legal basis in words a participant understands. */
export function grondslagInWoorden(g: Grondslag | undefined, verantwoordelijke: string): string {
  const wet = g?.wet ? ` (${g.wet})` : '';
  switch (g?.soort) {
    case 'toestemming': return 'met uw toestemming';
    case 'publieke-taak': return `voor een wettelijke taak van ${verantwoordelijke}${wet}`;
    case 'wettelijke-verplichting': return `omdat de wet dat verplicht${wet}`;
    case 'overeenkomst': return 'om een afspraak (overeenkomst) met u uit te voeren';
    case 'vitaal-belang': return 'om uw leven of gezondheid te beschermen';
    case 'gerechtvaardigd-belang': return 'omdat de organisatie daar een zwaarwegend belang bij heeft';
    default: return 'onbekend';
  }
}

/** An ISO 8601 period such as P5Y or P18M in words. */
export function termijnInWoorden(iso: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(iso);
  if (!m || m.slice(1).every((x) => x === undefined)) return iso;
  const units: Array<[string | undefined, string, string]> = [[m[1], 'jaar', 'jaar'], [m[2], 'maand', 'maanden'], [m[3], 'week', 'weken'], [m[4], 'dag', 'dagen']];
  return units.filter(([n]) => n !== undefined).map(([n, een, meer]) => `${n} ${Number(n) === 1 ? een : meer}`).join(' en ');
}

export const RECHTEN = [
  'U mag vragen om gegevens die niet kloppen te verbeteren (artikel 16 AVG).',
  'U mag vragen om gegevens te wissen als ze niet meer nodig zijn of als u uw toestemming intrekt (artikel 17 AVG).',
  'Gaf u toestemming? Dan mag u die altijd intrekken. Wat al gedeeld is, blijft wel gedeeld.',
  'Bent u het niet eens met hoe wij met uw gegevens omgaan? Neem eerst contact met ons op. U mag ook een klacht indienen bij de Autoriteit Persoonsgegevens (www.autoriteitpersoonsgegevens.nl).',
];

export interface InzageInvoer {
  trajectId: string;
  opgesteldOp: string;
  gemeente: Partij;
  rows: Verstrekking[];
  volgende: string | null;
  titel: (berichttype: string) => string;
}

export function inzagebrief(set: PolicySet, i: InzageInvoer): Inzagebrief {
  const doelen = new Map<string, Doel>(set.doelen.map((d) => [d.id, d]));
  const partijen = new Map(set.partijen.map((p) => [p.id, p]));
  const naam = (id: string) => partijen.get(id)?.naam ?? 'een onbekende organisatie';
  const verstrekkingen = i.rows.map((v): InzageVerstrekking => {
    const doel = v.doel ? doelen.get(v.doel) : undefined;
    // Only what left: the categories whose fields of this type are among the record's disclosed fields.
    const velden = new Set(v.velden.map((f) => f.replace(/^\/inhoud/, '')));
    const categorieen = set.gegevenscategorieen.filter((c) => (c.velden[v.berichttype] ?? []).some((f) => velden.has(f) || [...velden].some((d) => d.startsWith(`${f}/`))));
    const { datum, tijd } = datumTijd(v.tijdstip);
    const a = afgeleid(v.berichttype, v.afzender);
    return {
      datum, tijd,
      ontvanger: naam(v.partij),
      berichttype: a ? a.titel : i.titel(v.berichttype),
      gegevens: a ? a.gegevens(v.velden) : categorieen.length ? categorieen.map((c) => c.naam) : [i.titel(v.berichttype)],
      bijzondereGegevens: categorieen.some((c) => c.bijzonder),
      doel: doel?.naam ?? v.doel ?? 'onbekend',
      grondslag: v.grondslag ?? (doel ? `${doel.grondslag.avg}${doel.grondslag.wet ? `; ${doel.grondslag.wet}` : ''}` : 'onbekend'),
      grondslagUitleg: grondslagInWoorden(doel?.grondslag, i.gemeente.naam),
      bewaartermijn: doel ? termijnInWoorden(doel.bewaartermijn) : 'onbekend',
      herkomst: a ? a.herkomst : naam(v.afzender),
    };
  });
  const groepen = new Map<string, InzageGroep>();
  for (const v of verstrekkingen) {
    const { datum, tijd, berichttype: _titel, ...rest } = v;
    const key = JSON.stringify(rest);
    const moment = `${datum} ${tijd}`;
    const g = groepen.get(key);
    if (g) {
      g.aantal += 1;
      g.laatste = moment;
    } else groepen.set(key, { ...rest, aantal: 1, eerste: moment, laatste: moment });
  }
  return {
    trajectId: i.trajectId,
    opgesteldOp: i.opgesteldOp,
    verantwoordelijke: { naam: i.gemeente.naam, ...(i.gemeente.contact ?? {}) },
    verstrekkingen,
    groepen: [...groepen.values()],
    rechten: RECHTEN,
    volgende: i.volgende,
  };
}
