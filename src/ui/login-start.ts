/**
 * Page login, the same for every family of server-rendered pages (the privacy officer's `/privacy`,
 * the klantmanager's `/werk`, the coordinator's `/aanlevering`). Start: reuse the browser's session or
 * start an anonymous one (bounded per client IP by the session store: beyond the bound a Dutch 429
 * with Retry-After, nothing evicted), add a pending authorization request (code + PKCE) to it, set the
 * cookie for the family's path and send the browser to the provider. For the task pages also the
 * callback (the pending login used once, a new session id on success, only the family's users) and
 * the logout (CSRF-checked POST).
 */
import type { Request, Response } from 'express';
import type { UiOidc } from './oidc.js';
import { clearSessionCookie, csrfMatches, setSessionCookie, TeVeelInlogpogingen, type CookieOptions, type SessionStore, type UiSession } from './session.js';

export interface LoginStart {
  sessions: SessionStore;
  oidc: UiOidc;
  /** The session this request already has, if any. */
  session(res: Response): UiSession | null;
  cookie(req: Request): CookieOptions;
  /** Show a message in the family's own page frame (e.g. "too many login starts", 429). */
  toon(res: Response, status: number, titel: string, tekst: string, link?: { href: string; tekst: string }): void;
}

export async function startLogin(l: LoginStart, req: Request, res: Response, returnTo: string): Promise<void> {
  let sess = l.session(res);
  if (!sess) {
    try {
      sess = await l.sessions.create(req.ip ?? req.socket.remoteAddress ?? 'onbekend');
    } catch (e) {
      if (!(e instanceof TeVeelInlogpogingen)) throw e;
      res.setHeader('Retry-After', String(e.retryAfterSeconds));
      const minuten = Math.ceil(e.retryAfterSeconds / 60);
      return l.toon(res, 429, 'Te veel inlogpogingen', `Vanaf dit adres zijn in korte tijd te veel inlogpogingen gestart. Probeer het over ${minuten} ${minuten === 1 ? 'minuut' : 'minuten'} opnieuw.`);
    }
  }
  const { url, login } = await l.oidc.startLogin(returnTo);
  l.sessions.addLogin(sess, login);
  await l.sessions.save(sess);
  setSessionCookie(res, sess, l.cookie(req));
  res.redirect(303, url.href);
}

/** A task page family's answers around login: its message page, its users, where it starts. */
export interface TaakLogin extends LoginStart {
  /** The family's path under the base, e.g. `/werk`, and its start page (where logout returns). */
  pad: string;
  start: string;
  base: string;
  /** Whether a signed-in subject is one of the family's users, and what others are told. */
  toegestaan(sub: string): boolean;
  geenToegang: string;
  /** Where to go after login, given the pending login's return path. */
  terug(returnTo: string): string;
}

/** `GET <pad>/callback`: finish the authorization code flow started by `startLogin`. */
export async function finishTaakLogin(l: TaakLogin, req: Request, res: Response): Promise<void> {
  const sess = l.session(res);
  const state = typeof req.query.state === 'string' ? req.query.state : '';
  const login = sess && state ? sess.logins.get(state) : undefined;
  const opnieuw = { href: `${l.base}${l.pad}/inloggen`, tekst: 'Opnieuw inloggen' };
  if (!sess || !login) return l.toon(res, 400, 'Inloggen mislukt', 'Deze inlogpoging is onbekend of verlopen.', opnieuw);
  // One use: the pending login is gone whatever happens next.
  sess.logins.delete(login.state);
  await l.sessions.save(sess);
  const q = req.originalUrl.indexOf('?');
  const officer = await l.oidc.finishLogin(q >= 0 ? req.originalUrl.slice(q + 1) : '', login).catch(() => null);
  if (!officer) return l.toon(res, 401, 'Inloggen mislukt', 'Het inloggen is niet gelukt.', opnieuw);
  const next = await l.sessions.rotate(sess, officer);
  setSessionCookie(res, next, l.cookie(req));
  if (!l.toegestaan(officer.sub)) return l.toon(res, 403, 'Geen toegang', l.geenToegang);
  res.redirect(303, l.terug(login.returnTo));
}

/** `POST <pad>/uitloggen`: CSRF-checked; the session row is deleted and the cookie cleared. */
export async function taakLogout(l: TaakLogin, req: Request, res: Response): Promise<void> {
  const sess = l.session(res);
  if (sess && !csrfMatches(sess, (req.body as Record<string, unknown> | undefined)?.csrf)) {
    return l.toon(res, 403, 'Uitloggen niet bevestigd', 'Dit formulier is verlopen. Probeer het opnieuw.');
  }
  if (sess) await l.sessions.destroy(sess);
  clearSessionCookie(res, l.cookie(req));
  res.redirect(303, `${l.base}${l.start}`);
}
