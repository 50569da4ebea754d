/**
 * CloudEvents: the attributes the issue names, `dataref` as the purpose-bound read, and that nothing
 * beyond ids and the type or kind can leave in an event.
 */
import { describe, expect, it } from 'vitest';
import { berichtOntvangenEvent, CloudEventError, EVENT_TYPES, isContentFree, serializeEvent, signaalEvent } from './cloudevent.js';

const common = {
  id: '0b8c5f0e-6f7a-4d0b-9a53-3f0d2f4c9e11', bron: 'https://doelpoort.example', tijdstip: '2026-11-16T10:00:00+01:00',
  trajectId: '5d0c9a3e-4f6b-4c8e-9a57-2f1e7b3c6d10', doel: 'trajectbegeleiding',
};
const berichtId = '3b1f6c2e-8d4a-4e5b-9c7d-000000000001';
const signaalId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('CloudEvents 1.0, structured JSON mode', () => {
  it('bericht.ontvangen: every attribute, data with ids and type only', () => {
    expect(berichtOntvangenEvent({ ...common, berichtId, berichttype: 'aanwezigheid' })).toEqual({
      specversion: '1.0', id: common.id, source: 'https://doelpoort.example', type: 'nl.doelpoort.bericht.ontvangen',
      time: '2026-11-16T09:00:00.000Z', subject: common.trajectId,
      dataref: `https://doelpoort.example/v1/berichten/${berichtId}?doel=trajectbegeleiding`, datacontenttype: 'application/json',
      data: { trajectId: common.trajectId, berichtId, berichttype: 'aanwezigheid' },
    });
  });

  it('signaal.geopend and signaal.bijgewerkt point at the signal, read under the doel', () => {
    const geopend = signaalEvent({ ...common, signaalId, soort: 'verzuim', wijziging: 'geopend' });
    expect(geopend.type).toBe(EVENT_TYPES.signaalGeopend);
    expect(geopend.data).toEqual({ trajectId: common.trajectId, signaalId, soort: 'verzuim' });
    expect(geopend.dataref).toBe(`https://doelpoort.example/v1/signalen/${signaalId}?doel=trajectbegeleiding`);
    expect(signaalEvent({ ...common, signaalId, soort: 'verzuim', wijziging: 'bijgewerkt' }).type).toBe('nl.doelpoort.signaal.bijgewerkt');
  });

  it('keeps a base path of the gateway in source and dataref', () => {
    const e = berichtOntvangenEvent({ ...common, bron: 'https://gemeente.example/doelpoort/', berichtId, berichttype: 'plaatsing' });
    expect(e.source).toBe('https://gemeente.example/doelpoort');
    expect(e.dataref).toBe(`https://gemeente.example/doelpoort/v1/berichten/${berichtId}?doel=trajectbegeleiding`);
  });

  it('refuses what is not an id where an id belongs (no content can be smuggled in through an id)', () => {
    expect(() => berichtOntvangenEvent({ ...common, berichtId: 'afwezig wegens ziekte', berichttype: 'aanwezigheid' })).toThrow(CloudEventError);
    expect(() => berichtOntvangenEvent({ ...common, trajectId: '123456782', berichtId, berichttype: 'aanwezigheid' })).toThrow(/trajectId/);
    expect(() => signaalEvent({ ...common, signaalId, soort: 'Verzuim: 3 lessen', wijziging: 'geopend' })).toThrow(/soort/);
    expect(() => berichtOntvangenEvent({ ...common, bron: 'doelpoort', berichtId, berichttype: 'aanwezigheid' })).toThrow(/absolute URI/);
    expect(() => berichtOntvangenEvent({ ...common, doel: 'trajectbegeleiding&doel=handhaving', berichtId, berichttype: 'aanwezigheid' })).toThrow(/doel/);
  });

  it('isContentFree: exactly the attributes, and data with exactly its type\'s keys', () => {
    const e = signaalEvent({ ...common, signaalId, soort: 'plaatsing-uitgevallen', wijziging: 'geopend' });
    expect(isContentFree(e)).toBe(true);
    expect(isContentFree({ ...e, data: { ...e.data, eindreden: 'gezondheid' } })).toBe(false);
    expect(isContentFree({ ...e, data: { trajectId: e.data.trajectId, signaalId } })).toBe(false);
    expect(isContentFree({ ...e, data: { ...e.data, soort: { code: 'x' } } })).toBe(false);
    expect(isContentFree({ ...e, bsn: '123456782' })).toBe(false);
    expect(isContentFree({ ...e, type: 'nl.doelpoort.bericht.ontvangen' })).toBe(false);
    expect(() => serializeEvent({ ...e, data: { ...e.data, inhoud: {} } } as never)).toThrow(/niet inhoudsvrij/);
    expect(JSON.parse(serializeEvent(e))).toEqual(e);
  });
});
