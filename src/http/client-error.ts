/**
 * Refusals that happen before express sees a request: Node's HTTP parser gives up on the socket
 * (`server.on('clientError')`). Headers over Node's limit (431) are an attempt like any other: they
 * get one audit record (no caller, no subject: nothing was parsed that could be trusted), a
 * problem+json answer with the trace id, and a `WWW-Authenticate` challenge, since an oversized
 * Authorization header is the usual cause. Other client errors get Node's own answer (408 for a
 * request timeout, 413, else 400) and the socket is closed, as without this listener.
 */
import crypto from 'node:crypto';
import type { Socket } from 'node:net';
import { auditInput, type Poging } from './attempt.js';
import { PROBLEM_CONTENT_TYPE, PROBLEMS, problemType } from './problem.js';
import type { Services } from './services.js';

export function clientErrorHandler(s: Services): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    const answered = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code !== 'HPE_HEADER_OVERFLOW' || !socket.writable || answered) {
      // Node's own answer, as when nobody listens: 408 for a request timeout, 413 for chunk extensions, else 400.
      if (socket.writable && !answered && err.code !== 'ECONNRESET') {
        const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
          : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? '413 Payload Too Large' : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      } else socket.destroy();
      return;
    }
    const traceId = crypto.randomBytes(16).toString('hex');
    const p: Poging = {
      actie: 'verzoek-weigeren', trace: { traceId, spanId: crypto.randomBytes(8).toString('hex'), parentSpanId: null }, start: s.now().toISOString(),
      actor: null, trajectIds: [], berichttype: null, berichtIds: [], doel: null, geaudit: false,
    };
    const detail = 'De headers van het verzoek zijn groter dan de gateway aanneemt; stuur één Bearer-token en geen overbodige headers.';
    const answer = (status: number, title: string, kind: string, text: string, extra = '') => {
      const body = JSON.stringify({ type: problemType(kind as never), title, status, detail: text, instance: `urn:doelpoort:trace:${traceId}`, traceId });
      if (!socket.writable) return socket.destroy();
      socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Service Unavailable'}\r\n`
        + `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}`
        + `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
    };
    s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'headers-te-groot', reden: detail, status: 431 }))).then(
      () => answer(431, PROBLEMS['headers-te-groot'].title, 'headers-te-groot', detail, 'WWW-Authenticate: Bearer realm="doelpoort"\r\n'),
      (auditErr) => {
        s.logger.error({ err: auditErr, traceId }, 'recording a 431 failed');
        answer(503, PROBLEMS['niet-beschikbaar'].title, 'niet-beschikbaar', 'Het verzoek kon niet worden vastgelegd; probeer het later opnieuw.');
      },
    );
  };
}
