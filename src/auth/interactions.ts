/**
 * The embedded provider's user-facing pages, in Dutch and accessible, built on oidc-provider's
 * interaction API (its `devInteractions` stay off):
 * - `GET /oidc/interactie/:uid` — the login page (prompt `login`), or, for the first-party privacy
 *   client, consent granted without asking (prompt `consent`): a Grant with the requested OpenID
 *   scopes and claims and the gateway as resource;
 * - `POST /oidc/interactie/:uid/inloggen` — check a demo user's password (constant time);
 * - `POST /oidc/interactie/:uid/afbreken` — the user cancels (`access_denied` to the client);
 * - the logout confirmation, the "logged out" page and the error page of the provider itself.
 *
 * Guessing is bounded (`limits`): every login POST counts per client IP, and each failed password
 * counts per account name; above either limit the form answers 429 with `Retry-After` (a Dutch page
 * for a browser, problem+json otherwise) without checking the password — also a right one.
 *
 * The login form is bound to the interaction by oidc-provider's own `_interaction` cookie
 * (HttpOnly, SameSite=Lax, path-scoped to this interaction), so a cross-site POST finds no
 * interaction and fails: that is the form's CSRF protection.
 */
import express, { type Request, type Response, Router } from 'express';
import type Provider from 'oidc-provider';
import { HttpProblem, sendProblem } from '../http/problem.js';
import { RateLimited, type RateLimiter } from '../http/rate-limit.js';
import { traceOf } from '../http/trace.js';
import { page } from '../ui/layout.js';
import { html, trusted, type SafeHtml } from '../ui/html.js';
import { passwordMatches, type DemoAccount } from './demo-accounts.js';

export interface InteractionOptions {
  /** Path prefix of the public URL ('' at the root), for the stylesheet and links. */
  base: string;
  /** The path under which the provider is mounted, e.g. `/oidc`. */
  providerPath: string;
  /** First-party clients whose consent is implied (the privacy pages). */
  firstPartyClients: ReadonlySet<string>;
  /** The gateway's audience: the resource granted to first-party clients. */
  audience: string;
  demoPassword: string;
  /** Finds a user who may log in. */
  demoAccount: (id: string) => DemoAccount | undefined;
  /** Login attempts per IP, failed logins per account (absent: unlimited). */
  limits?: LoginLimits;
}

export interface LoginLimits {
  ip: RateLimiter;
  account: RateLimiter;
}

function tooMany(o: InteractionOptions, req: Request, res: Response, e: RateLimited): void {
  res.setHeader('Retry-After', String(e.retryAfterSeconds));
  const minuten = Math.ceil(e.retryAfterSeconds / 60);
  if (req.accepts(['application/problem+json', 'html']) === 'html') {
    send(res, 429, messagePage(o, 'Te veel inlogpogingen', html`<p>Er zijn te veel inlogpogingen gedaan. Probeer het over
      ${minuten === 1 ? 'een minuut' : `${minuten} minuten`} opnieuw.</p>`));
    return;
  }
  sendProblem(res, new HttpProblem('te-veel-verzoeken', `Te veel inlogpogingen; probeer het over ${e.retryAfterSeconds} seconden opnieuw.`), traceOf(res).traceId);
}

/** The interaction page for an interaction uid, as the provider's `interactions.url`. */
export function interactionPath(providerPath: string, uid: string): string {
  return `${providerPath}/interactie/${encodeURIComponent(uid)}`;
}

const INTERACTION_CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function loginPage(o: InteractionOptions, uid: string, opts: { gebruikersnaam?: string; fout?: boolean }): string {
  const action = interactionPath(o.providerPath, uid);
  const fout = opts.fout
    ? html`<div class="melding fout" role="alert" id="inlogfout">
        <h2>Inloggen is niet gelukt</h2>
        <p>De combinatie van gebruikersnaam en wachtwoord is onbekend. Controleer beide en probeer het opnieuw.</p>
      </div>`
    : null;
  const described = opts.fout ? html` aria-describedby="inlogfout" aria-invalid="true"` : null;
  return page({
    titel: 'Inloggen',
    base: o.base,
    inhoud: html`<div class="inlogkader">
      <p>Log in als functionaris gegevensbescherming om het logboek van Doelpoort te raadplegen.</p>
      ${fout}
      <form method="post" action="${action}/inloggen">
        <div class="veld">
          <label for="gebruikersnaam">Gebruikersnaam</label>
          <input id="gebruikersnaam" name="gebruikersnaam" type="text" autocomplete="username" autocapitalize="none"
            spellcheck="false" required value="${opts.gebruikersnaam ?? ''}"${described}>
        </div>
        <div class="veld">
          <label for="wachtwoord">Wachtwoord</label>
          <input id="wachtwoord" name="wachtwoord" type="password" autocomplete="current-password" required${described}>
        </div>
        <div class="knoppen"><button type="submit">Inloggen</button></div>
      </form>
      <form method="post" action="${action}/afbreken">
        <div class="knoppen"><button type="submit" class="secundair">Annuleren</button></div>
      </form>
    </div>`,
  });
}

function messagePage(o: Pick<InteractionOptions, 'base'>, titel: string, inhoud: SafeHtml): string {
  return page({ titel, base: o.base, inhoud });
}

function send(res: Response, status: number, body: string): void {
  res.status(status).setHeader('Content-Security-Policy', INTERACTION_CSP);
  res.type('html').send(body);
}

function expired(o: InteractionOptions, res: Response): void {
  send(res, 400, messagePage(o, 'Inlogpoging verlopen', html`<p>Deze inlogpoging is verlopen of onbekend.
    <a href="${o.base}/privacy/inloggen">Begin opnieuw met inloggen</a>.</p>`));
}

export function interactionRouter(provider: Provider, o: InteractionOptions): Router {
  const router = Router({ strict: true, caseSensitive: true });
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

  async function details(req: Request, res: Response) {
    try {
      const d = await provider.interactionDetails(req, res);
      return d.uid === req.params.uid ? d : null;
    } catch {
      return null;
    }
  }

  router.get('/interactie/:uid', async (req, res, next) => {
    try {
      const d = await details(req, res);
      if (!d) return expired(o, res);
      if (d.prompt.name === 'login') {
        const hint = typeof d.params.login_hint === 'string' ? d.params.login_hint : '';
        return send(res, 200, loginPage(o, d.uid, { gebruikersnaam: hint }));
      }
      if (d.prompt.name === 'consent' && o.firstPartyClients.has(String(d.params.client_id))) {
        // A first-party client of the gateway's own operator: consent is implied, not asked.
        const accountId = d.session?.accountId;
        if (!accountId) return expired(o, res);
        const grant = d.grantId
          ? (await provider.Grant.find(d.grantId)) ?? new provider.Grant({ accountId, clientId: String(d.params.client_id) })
          : new provider.Grant({ accountId, clientId: String(d.params.client_id) });
        const det = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
        if (det.missingOIDCScope) grant.addOIDCScope(det.missingOIDCScope.join(' '));
        if (det.missingOIDCClaims) grant.addOIDCClaims(det.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(det.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
        grant.addResourceScope(o.audience, '');
        const grantId = await grant.save();
        return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      return await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'consent required' }, { mergeWithLastSubmission: false });
    } catch (e) {
      next(e);
    }
  });

  router.post('/interactie/:uid/inloggen', form, async (req, res, next) => {
    try {
      const d = await details(req, res);
      if (!d || d.prompt.name !== 'login') return expired(o, res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const gebruikersnaam = typeof body.gebruikersnaam === 'string' ? body.gebruikersnaam.trim() : '';
      const wachtwoord = typeof body.wachtwoord === 'string' ? body.wachtwoord : '';
      if (o.limits) {
        try {
          await o.limits.ip.hit(req.ip ?? req.socket.remoteAddress ?? 'onbekend');
          await o.limits.account.check(gebruikersnaam.toLowerCase());
        } catch (e) {
          if (e instanceof RateLimited) return tooMany(o, req, res, e);
          throw e;
        }
      }
      const account = o.demoAccount(gebruikersnaam);
      // Always compare, also for an unknown user, so that timing does not reveal which users exist.
      const ok = passwordMatches(wachtwoord, o.demoPassword) && account !== undefined;
      if (!ok) {
        // Counted per name as typed, known or not, so the limit does not reveal which accounts exist.
        await o.limits?.account.hit(gebruikersnaam.toLowerCase()).catch(() => undefined);
        return send(res, 401, loginPage(o, d.uid, { gebruikersnaam, fout: true }));
      }
      return await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
    } catch (e) {
      next(e);
    }
  });

  router.post('/interactie/:uid/afbreken', async (req, res, next) => {
    try {
      const d = await details(req, res);
      if (!d) return expired(o, res);
      return await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'De gebruiker heeft het inloggen afgebroken.' }, { mergeWithLastSubmission: false });
    } catch (e) {
      next(e);
    }
  });

  return router;
}

type KoaLikeContext = { body: unknown; type: string; status: number; set(name: string, value: string): void };

/** oidc-provider's `rpInitiatedLogout.logoutSource`: a Dutch confirmation page around the provider's form. */
export function logoutSource(base: string) {
  return async (ctx: KoaLikeContext, form: string): Promise<void> => {
    ctx.set('Content-Security-Policy', INTERACTION_CSP);
    // `form` is the provider's own markup (an empty form with its XSRF token); the buttons submit it.
    ctx.body = page({
      titel: 'Uitloggen',
      base,
      inhoud: html`<p>U bent uitgelogd bij de privacypagina's. Wilt u ook uitloggen bij de inlogdienst van Doelpoort?
          Dan moet u de volgende keer opnieuw uw wachtwoord invullen.</p>
        ${trusted(form)}
        <div class="knoppen">
          <button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, uitloggen</button>
          <button type="submit" form="op.logoutForm" class="secundair">Nee, ingelogd blijven</button>
        </div>`,
    });
  };
}

/** oidc-provider's `rpInitiatedLogout.postLogoutSuccessSource`. */
export function postLogoutSuccessSource(base: string) {
  return async (ctx: KoaLikeContext): Promise<void> => {
    ctx.set('Content-Security-Policy', INTERACTION_CSP);
    ctx.body = page({ titel: 'U bent uitgelogd', base, inhoud: html`<p>U bent uitgelogd bij de inlogdienst van Doelpoort.</p>
      <p><a href="${base}/privacy">Naar de privacypagina's</a></p>` });
  };
}

/** oidc-provider's `renderError`: Dutch, without echoing internals beyond the OAuth error code. */
export function renderError(base: string) {
  return async (ctx: KoaLikeContext, out: { error?: string; error_description?: string }): Promise<void> => {
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', INTERACTION_CSP);
    ctx.body = page({
      titel: 'Er ging iets mis bij het inloggen',
      base,
      inhoud: html`<p>De inlogdienst kon dit verzoek niet afhandelen${out.error ? html` (foutcode <code>${out.error}</code>)` : null}.</p>
        ${out.error_description ? html`<p>${out.error_description}</p>` : null}
        <p><a href="${base}/privacy">Terug naar de privacypagina's</a></p>`,
    });
  };
}
