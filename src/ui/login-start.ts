/**
 * The first step of a page login, the same for every family of server-rendered pages (the privacy
 * officer's `/privacy`, the klantmanager's `/werk`, the coordinator's `/aanlevering`): reuse the
 * browser's session or start an anonymous one (bounded per client IP by the session store: beyond
 * the bound a Dutch 429 with Retry-After, nothing evicted), add a pending authorization request
 * (code + PKCE) to it, set the cookie for the family's path and send the browser to the provider.
 */
import type { Request, Response } from 'express';
import type { UiOidc } from './oidc.js';
import { setSessionCookie, TeVeelInlogpogingen, type CookieOptions, type SessionStore, type UiSession } from './session.js';

export interface LoginStart {
  sessions: SessionStore;
  oidc: UiOidc;
  /** The session this request already has, if any. */
  session(res: Response): UiSession | null;
  cookie(req: Request): CookieOptions;
  /** Answer "too many login starts from this address" in the family's own page frame. */
  teVeel(res: Response, tekst: string): void;
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
      return l.teVeel(res, `Vanaf dit adres zijn in korte tijd te veel inlogpogingen gestart. Probeer het over ${minuten} ${minuten === 1 ? 'minuut' : 'minuten'} opnieuw.`);
    }
  }
  const { url, login } = await l.oidc.startLogin(returnTo);
  l.sessions.addLogin(sess, login);
  await l.sessions.save(sess);
  setSessionCookie(res, sess, l.cookie(req));
  res.redirect(303, url.href);
}
