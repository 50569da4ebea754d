/**
 * The start of every page family's router (privacy pages, /werk, /aanlevering): the shared stylesheet,
 * and the visitor's server-side session loaded once per request into `res.locals[sleutel]`.
 */
import { Router } from 'express';
import { readSessionId, type SessionStore } from './session.js';
import { STYLESHEET } from './style.js';

export function paginaRouter(sessions: SessionStore, sleutel: string): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.get('/stijl.css', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('text/css').send(STYLESHEET);
  });
  router.use((req, res, next) => {
    sessions.get(readSessionId(req)).then((sess) => {
      res.locals[sleutel] = sess;
      next();
    }, next);
  });
  return router;
}
