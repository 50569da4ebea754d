/**
 * The privacy officer's pages over plain HTTP (the browser test drives the same pages in Chromium):
 * login through the real embedded provider (authorization code + PKCE), the session cookie, the
 * backend-for-frontend rule (the token goes to the API, never to the browser), CSRF on logout,
 * escaping, the CSP, the export proxy, and how the pages handle API errors and expired tokens.
 */
import * as jose from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { envelop } from './support/gateway.js';
import {
  csrfOf, follow, formAction, loginAgent, seedScenario, startPrivacyGateway, type PrivacyFixture,
} from './support/privacy.js';

let f: PrivacyFixture;
let trajectId: string;

beforeAll(async () => {
  f = await startPrivacyGateway();
  ({ trajectId } = await seedScenario(f.t));
});
afterAll(() => f.close());

/**
 * The API calls the pages make, seen by the real gateway: every access token it verified while `work`
 * ran, with the audit records of the logboek reads. No stand-in: this is the token the pages hold.
 */
async function apiCallsDuring<T>(work: () => Promise<T>): Promise<{ result: T; tokens: string[] }> {
  const spy = vi.spyOn(f.t.gw.services.verifier, 'verify');
  try {
    const result = await work();
    return { result, tokens: spy.mock.calls.map((c) => c[0]) };
  } finally {
    spy.mockRestore();
  }
}

const setCookies = (res: request.Response): string[] => ([] as string[]).concat(res.headers['set-cookie'] ?? []);
const sessionCookie = (res: request.Response) => setCookies(res).find((c) => c.startsWith('doelpoort_privacy='));

describe('headers of the pages', () => {
  it('their own CSP (no scripts, own styles, forms only to itself and the issuer), no-store, nosniff, no framing', async () => {
    const res = await f.t.api().get('/privacy');
    expect(res.status).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain(`form-action 'self' ${new URL(f.t.gw.config.issuer).origin}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toMatch(/^<!DOCTYPE html>\s*<html lang="nl">/);
  });

  it('the API keeps its own strict CSP', async () => {
    const res = await f.t.api().get('/v1/openapi.json');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});

describe('login: OIDC authorization code + PKCE against the embedded provider', () => {
  it('a page without a session starts the login: S256 challenge, state, nonce, the gateway as resource; a session cookie HttpOnly, SameSite=Lax, Path=/privacy', async () => {
    const res = await f.t.api().get(`/privacy/logboek?trajectId=${trajectId}`).redirects(0);
    expect(res.status).toBe(303);
    const to = new URL(res.headers.location!);
    expect(to.href.startsWith(`${f.t.gw.config.issuer}/auth?`)).toBe(true);
    expect(to.searchParams.get('client_id')).toBe('doelpoort-privacy');
    expect(to.searchParams.get('response_type')).toBe('code');
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(to.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(to.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(to.searchParams.get('resource')).toBe(f.t.gw.config.audience);
    expect(to.searchParams.get('redirect_uri')).toBe(`${f.t.gw.config.publicUrl}/privacy/callback`);
    const cookie = sessionCookie(res)!;
    expect(cookie).toMatch(/; Path=\/privacy; HttpOnly; SameSite=Lax$/); // no Secure over plain http
  });

  it('the provider refuses an authorization request without PKCE', async () => {
    const q = new URLSearchParams({ client_id: 'doelpoort-privacy', response_type: 'code', scope: 'openid', redirect_uri: `${f.t.gw.config.publicUrl}/privacy/callback`, state: 'x'.repeat(22) });
    const res = await f.t.api().get(`/oidc/auth?${q}`).redirects(0);
    expect(res.status).toBe(303);
    const back = new URL(res.headers.location!);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('a wrong password or an unknown user is refused on the login page (401), and no code is issued', async () => {
    for (const [user, pw] of [['fg-hengelo', 'fout-wachtwoord'], ['onbekende-gebruiker', 'doelpoort-demo'], ['gemeente-hengelo', 'doelpoort-demo']] as const) {
      const { submitted } = await loginAgent(f.t, user, pw);
      expect(submitted.status, user).toBe(401);
      expect(submitted.text).toContain('Inloggen is niet gelukt');
      expect(submitted.text).toContain('aria-invalid="true"');
      expect(submitted.headers.location).toBeUndefined();
    }
  });

  it('the right password logs fg-hengelo in: a NEW session id, the officer named on the page, the token never in the page', async () => {
    const agent = request.agent(f.t.gw.url);
    const started = await agent.get('/privacy/inloggen').redirects(0);
    const before = sessionCookie(started)!.split(';')[0];
    const loginPage = await follow(agent, f.t.gw.url, started);
    expect(loginPage.text).toContain('<label for="gebruikersnaam">Gebruikersnaam</label>');
    expect(loginPage.text).toContain('<label for="wachtwoord">Wachtwoord</label>');
    const { result: { res, cookies }, tokens } = await apiCallsDuring(async () => {
      const submitted = await agent.post(formAction(loginPage.text, '/inloggen')).type('form').send({ gebruikersnaam: 'fg-hengelo', wachtwoord: 'doelpoort-demo' }).redirects(0);
      let res = submitted;
      const cookies: string[] = [];
      for (let i = 0; i < 10 && res.status === 303; i++) {
        cookies.push(...setCookies(res));
        const next = new URL(res.headers.location!, f.t.gw.url);
        res = await agent.get(next.pathname + next.search).redirects(0);
      }
      cookies.push(...setCookies(res));
      return { res, cookies };
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Ingelogd als <strong>Functionaris gegevensbescherming, Gemeente Hengelo</strong>');
    const after = cookies.filter((c) => c.startsWith('doelpoort_privacy=')).at(-1)!.split(';')[0];
    expect(after).not.toBe(before);
    // The real gateway verified the officer's token for the page's logboek read.
    expect(tokens.length).toBeGreaterThan(0);
    const token = tokens.at(-1)!;
    expect(jose.decodeJwt(token)).toMatchObject({ sub: 'fg-hengelo', client_id: 'doelpoort-privacy', aud: f.t.gw.config.audience });
    expect(jose.decodeProtectedHeader(token).typ).toBe('at+jwt');
    expect(res.text).not.toContain(token);
    expect(res.text).not.toContain(token.split('.')[1]!);
    expect(res.text).not.toContain(token.split('.')[2]!);
    // The page view's trace id travels to the API, so the officer's read is traceable to the page.
    const pageTrace = String(res.headers.traceparent).split('-')[1]!;
    expect(f.t.query('SELECT client FROM logboek WHERE traceId = ? AND actie = ?', pageTrace, 'logboek-lezen')).toEqual([{ client: 'doelpoort-privacy:fg-hengelo' }]);
    for (const c of cookies) expect(c).not.toMatch(/eyJ/); // no token in any cookie either
  });

  it('fg-roc logs in as itself', async () => {
    const { result: { landed }, tokens } = await apiCallsDuring(() => loginAgent(f.t, 'fg-roc'));
    expect(landed.status).toBe(200);
    expect(landed.text).toContain('(fg-roc)');
    expect(jose.decodeJwt(tokens.at(-1)!).sub).toBe('fg-roc');
    expect(landed.text).not.toContain(tokens.at(-1)!);
  });

  it('a callback with an unknown state is refused', async () => {
    const { agent } = await loginAgent(f.t, 'fg-hengelo');
    const res = await agent.get('/privacy/callback?code=abc&state=verzonnen').redirects(0);
    expect(res.status).toBe(400);
    expect(res.text).toContain('onbekend of verlopen');
  });

  it('cancelling on the login page comes back as "afgebroken", without a session', async () => {
    const agent = request.agent(f.t.gw.url);
    const loginPage = await follow(agent, f.t.gw.url, await agent.get('/privacy/inloggen').redirects(0));
    const cancelled = await follow(agent, f.t.gw.url, await agent.post(formAction(loginPage.text, '/afbreken')).type('form').send({}).redirects(0));
    expect(cancelled.status).toBe(401);
    expect(cancelled.text).toContain('afgebroken');
    const page = await agent.get('/privacy/logboek').redirects(0);
    expect(page.status).toBe(303); // still not logged in
  });
});

describe('logout: POST with CSRF token, then RP-initiated logout at the provider', () => {
  it('without the CSRF token it is refused and the session stays', async () => {
    const { agent } = await loginAgent(f.t, 'fg-hengelo');
    const res = await agent.post('/privacy/uitloggen').type('form').send({ csrf: 'geraden' }).redirects(0);
    expect(res.status).toBe(403);
    expect((await agent.get('/privacy/verificatie').redirects(0)).status).toBe(200);
  });

  it('with it the session ends and the browser goes to the end-session endpoint with id_token_hint', async () => {
    const { agent, landed } = await loginAgent(f.t, 'fg-hengelo');
    const res = await agent.post('/privacy/uitloggen').type('form').send({ csrf: csrfOf(landed.text) }).redirects(0);
    expect(res.status).toBe(303);
    const to = new URL(res.headers.location!);
    expect(to.href.startsWith(`${f.t.gw.config.issuer}/session/end?`)).toBe(true);
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${f.t.gw.config.publicUrl}/privacy`);
    expect(to.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(sessionCookie(res)).toMatch(/^doelpoort_privacy=; .*Max-Age=0/);
    const after = await agent.get('/privacy/verificatie').redirects(0);
    expect(after.status).toBe(303);
    expect(after.headers.location).toContain('/oidc/auth?');
  });
});

describe('pages as a logged-in officer', () => {
  let agent: ReturnType<typeof request.agent>;
  beforeAll(async () => {
    ({ agent } = await loginAgent(f.t, 'fg-hengelo'));
  });

  it('search by trajectory lists its records, newest first, with links to each record', async () => {
    const res = await agent.get(`/privacy/logboek?trajectId=${trajectId}`);
    expect(res.status).toBe(200);
    const ids = [...res.text.matchAll(/href="\/privacy\/logboek\/(\d+)"/g)].map((m) => Number(m[1]));
    const expected = f.t.query<{ id: number }>("SELECT id FROM logboek WHERE trajectIds LIKE ? AND actie NOT LIKE 'logboek%' ORDER BY id DESC", `%${trajectId}%`).map((r) => r.id);
    expect(ids.filter((id) => expected.includes(id))).toEqual(expected);
    expect(res.text).toContain('<caption id="resultaten-bijschrift">');
    expect(res.text).toContain('<th scope="col">Besluit</th>');
  });

  it('pages through a long result with the API\'s cursor (volgende), keeping the filters', async () => {
    const other = await f.t.openTraject();
    const roc = await f.t.token('roc-van-twente');
    for (let i = 0; i < 27; i++) await f.t.api().post('/v1/berichten').set('Authorization', `Bearer ${roc}`).send(envelop('aanwezigheid', other));
    const rowIds = (text: string) => [...text.matchAll(/<th scope="row"><a href="\/privacy\/logboek\/(\d+)"/g)].map((m) => Number(m[1]));
    const pages: number[][] = [];
    let url: string | null = `/privacy/logboek?trajectId=${other}&limiet=25`;
    let sawFirstPageLink = false;
    while (url && pages.length < 6) {
      const res = await agent.get(url);
      expect(res.status).toBe(200);
      pages.push(rowIds(res.text));
      if (pages.length > 1) sawFirstPageLink ||= res.text.includes('>Eerste pagina</a>');
      const next = /<a href="([^"]+)" rel="next">Volgende pagina<\/a>/.exec(res.text);
      url = next ? next[1]!.replace(/&amp;/g, '&') : null;
      if (url) {
        expect(url).toContain(`trajectId=${other}`); // the filters stay
        expect(url).toContain('limiet=25');
      }
    }
    expect(pages[0]).toHaveLength(25);
    expect(pages.length).toBeGreaterThan(1);
    expect(sawFirstPageLink).toBe(true);
    const all = pages.flat();
    expect(all).toEqual([...all].sort((a, b) => b - a)); // newest first across pages
    expect(new Set(all).size).toBe(all.length); // no overlap
    const expected = f.t.query<{ id: number }>("SELECT id FROM logboek WHERE trajectIds LIKE ? AND actie NOT LIKE 'logboek%'", `%${other}%`).map((r) => r.id);
    expect(expected).toHaveLength(28);
    expect(all).toEqual(expect.arrayContaining(expected));
  });

  it('invalid filters are named per field and not sent to the API; input is escaped', async () => {
    const { result: res, tokens } = await apiCallsDuring(() => agent.get('/privacy/logboek?trajectId=%3Cscript%3Ealert(1)%3C%2Fscript%3E&vanaf=2026-13-45&besluit=misschien'));
    expect(res.status).toBe(400);
    expect(res.text).toContain('<a href="#f-trajectId">Traject-id:');
    expect(res.text).toContain('<a href="#f-vanaf">');
    expect(res.text).toContain('<a href="#f-besluit">');
    expect(res.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(res.text).not.toContain('<script>');
    expect(tokens).toEqual([]); // the real gateway's API was not called
  });

  it('one record in full with its chain position', async () => {
    const [rec] = f.t.query<{ id: number; hash: string }>("SELECT id, hash FROM logboek WHERE actie = 'bericht-publiceren' AND trajectIds LIKE ?", `%${trajectId}%`);
    const res = await agent.get(`/privacy/logboek/${rec!.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Logboekregel ${rec!.id}</h1>`);
    expect(res.text).toContain(rec!.hash);
    expect(res.text).toContain('Plaats in de keten');
    expect(res.text).toContain('Deze regel klopt met de keten');
  });

  it('the export streams through the pages as an attachment, without exposing the token', async () => {
    const res = await agent.get(`/privacy/logboek/export?formaat=csv&trajectId=${trajectId}`).buffer(true).parse((r, cb) => {
      let data = '';
      r.on('data', (c: Buffer) => (data += c.toString()));
      r.on('end', () => cb(null, data));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="logboek-[\w.-]+\.csv"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(String(res.body)).toContain(trajectId);
    expect(String(res.body)).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('an export in an unknown format is refused before the API is asked', async () => {
    const res = await agent.get(`/privacy/logboek/export?formaat=xlsx&trajectId=${trajectId}`);
    expect(res.status).toBe(400);
  });

  it('verification, inzage and the weekly overview render', async () => {
    const v = await agent.get('/privacy/verificatie');
    expect(v.status).toBe(200);
    expect(v.text).toContain('Het logboek is ongeschonden');
    const i = await agent.get(`/privacy/inzage?trajectId=${trajectId}`);
    expect(i.status).toBe(200);
    expect(i.text).toContain('Uw vraag: welke gegevens over u zijn gedeeld?');
    expect(i.text).toContain('Gemeente Hengelo kreeg gegevens van ROC van Twente');
    const o = await agent.get('/privacy/overzicht');
    expect(o.status).toBe(200);
    expect(o.text).toContain('Leesacties, weigeringen door het beleid en invoerfouten per week');
    expect(o.text).toMatch(/Let op:<\/span> 1 geweigerde poging \(berichten lezen\)/);
  });

  it('an inzage for something that is not a trajectory id is refused with a named field', async () => {
    const res = await agent.get('/privacy/inzage?trajectId=12345');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<a href="#f-trajectId">');
  });
});

describe('when the logboek API fails or the token expires (fault-injecting stand-in)', () => {
  let g: PrivacyFixture;
  let agent: ReturnType<typeof request.agent>;
  beforeAll(async () => {
    g = await startPrivacyGateway({ standIn: true });
    ({ agent } = await loginAgent(g.t, 'fg-hengelo'));
  });
  afterAll(() => g.close());

  it('a 401 from the API: the pages refresh the token with the refresh token and retry once', async () => {
    const before = g.standIn!.calls.length;
    g.standIn!.failNext(401);
    const res = await agent.get('/privacy/verificatie');
    expect(res.status).toBe(200);
    const [first, retry] = g.standIn!.calls.slice(before);
    expect(first!.token).not.toBe(retry!.token);
    expect(jose.decodeJwt(retry!.token).sub).toBe('fg-hengelo');
  });

  it('403 → "Geen toegang", 404 → "Niet gevonden", 500 → "niet beschikbaar"', async () => {
    g.standIn!.failNext(403);
    const a = await agent.get('/privacy/verificatie');
    expect([a.status, a.text.includes('Geen toegang')]).toEqual([403, true]);
    g.standIn!.failNext(404);
    const b = await agent.get('/privacy/logboek/999999');
    expect([b.status, b.text.includes('Niet gevonden')]).toEqual([404, true]);
    g.standIn!.failNext(500);
    const c = await agent.get('/privacy/overzicht');
    expect([c.status, c.text.includes('niet beschikbaar')]).toEqual([502, true]);
  });
});
