/**
 * Test fixture: the simplest load balancer an operator could put in front of several replicas — every
 * request goes to the next replica in turn, with no stickiness, so that consecutive requests of one
 * client (a token, a login, a page session) land on different replicas. The Host header is passed on
 * unchanged, as a reverse proxy configured for Doelpoort does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  url: string;
  /** Which upstream served each request, in order (index into `upstreams`). */
  served: number[];
  close(): Promise<void>;
}

export async function startRoundRobin(upstreams: string[], port = 0): Promise<RoundRobin> {
  let next = 0;
  const served: number[] = [];
  const server = http.createServer((req, res) => {
    const i = next++ % upstreams.length;
    served.push(i);
    const target = new URL(req.url ?? '/', upstreams[i]);
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unavailable');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
