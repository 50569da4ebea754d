/**
 * Test fixture for the privacy officer's pages: a real gateway (real embedded provider, real
 * SQLite) whose pages call either the gateway's own logboek API or, until issue 6a is merged, the
 * contract stand-in (`logboek-stand-in.ts`) over the same real logboek table. Also: a scripted
 * scenario that fills the logboek, and a login through the real provider's login page with a
 * cookie-keeping HTTP agent (for the tests that need no browser).
 */
import request from 'supertest';
import { DEFAULT_DEMO_PASSWORD } from '../../src/config.js';
import { bearer, envelop, startTestGateway, type TestGateway } from './gateway.js';
import { startLogboekStandIn, type LogboekStandIn } from './logboek-stand-in.js';

/**
 * Which logboek API the pages call in the main flows. THE SWITCH: set to 'gateway' once the logboek
 * API of issue 6 (part 6a) is merged; the tests then run against the gateway itself.
 */
export const LOGBOEK_API = 'gateway' as 'stand-in' | 'gateway';

export const DEMO_PASSWORD = DEFAULT_DEMO_PASSWORD;

export interface PrivacyFixture {
  t: TestGateway;
  /** The stand-in, when the pages call it (null when they call the gateway itself). */
  standIn: LogboekStandIn | null;
  close(): Promise<void>;
}

/** A gateway with the privacy pages; `standIn: true` forces the stand-in (fault-injection tests). */
export async function startPrivacyGateway(o: { standIn?: boolean } = {}): Promise<PrivacyFixture> {
  let t: TestGateway | null = null;
  const standIn = (o.standIn ?? LOGBOEK_API === 'stand-in') ? await startLogboekStandIn(() => t!) : null;
  t = await startTestGateway({ overrides: standIn ? { uiApiUrl: standIn.url } : {} });
  const gateway = t;
  return {
    t: gateway,
    standIn,
    async close() {
      await gateway.close();
      await standIn?.close();
    },
  };
}

/**
 * A small real history: gemeente-hengelo opens a trajectory, ROC van Twente publishes progress,
 * the gemeente reads it for trajectbegeleiding, and ROC tries a read it is not allowed (refused).
 */
export async function seedScenario(t: TestGateway): Promise<{ trajectId: string }> {
  const trajectId = await t.openTraject();
  const roc = await t.token('roc-van-twente');
  const g = await t.token('gemeente-hengelo');
  const pub = await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('taalvoortgang', trajectId));
  if (pub.status !== 201) throw new Error(`publish: ${pub.status}`);
  const read = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`).set(...bearer(g));
  if (read.status !== 200) throw new Error(`read: ${read.status}`);
  const refused = await t.api().get(`/v1/berichten?doel=bemiddeling&trajectId=${trajectId}`).set(...bearer(roc));
  if (refused.status !== 403) throw new Error(`refused read: ${refused.status}`);
  return { trajectId };
}

type Agent = ReturnType<typeof request.agent>;

/** Follow redirects on the gateway's own origin with the agent (cookies kept per path). */
export async function follow(agent: Agent, base: string, res: request.Response, max = 10): Promise<request.Response> {
  let current = res;
  for (let i = 0; i < max && current.status >= 300 && current.status < 400; i++) {
    const next = new URL(current.headers.location!, base);
    if (next.origin !== new URL(base).origin) return current;
    current = await agent.get(next.pathname + next.search).redirects(0);
  }
  return current;
}

/** The `action` of the form whose action ends with `suffix`. */
export function formAction(htmlText: string, suffix: string): string {
  const m = [...htmlText.matchAll(/<form[^>]*action="([^"]+)"/g)].map((x) => x[1]!.replace(/&amp;/g, '&')).find((a) => a.endsWith(suffix));
  if (!m) throw new Error(`no form ending in ${suffix}`);
  return m;
}

/** Log in through the real provider's login page; returns the agent and the page it lands on. */
export async function loginAgent(t: TestGateway, user: string, password = DEMO_PASSWORD, start = '/privacy/inloggen') {
  return loginAt(t.gw.url, user, password, start);
}

/** The same against any base URL (e.g. a balancer in front of replicas). */
export async function loginAt(base: string, user: string, password = DEMO_PASSWORD, start = '/privacy/inloggen') {
  const agent = request.agent(base);
  const loginPage = await follow(agent, base, await agent.get(start).redirects(0));
  const action = formAction(loginPage.text, '/inloggen');
  const submitted = await agent.post(action).type('form').send({ gebruikersnaam: user, wachtwoord: password }).redirects(0);
  const landed = await follow(agent, base, submitted);
  return { agent, loginPage, submitted, landed };
}

/** The CSRF token of the page's logout form. */
export function csrfOf(htmlText: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(htmlText);
  if (!m) throw new Error('no csrf field');
  return m[1]!;
}
