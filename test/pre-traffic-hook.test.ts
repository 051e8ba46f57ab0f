/**
 * The pre-traffic hook's check against a real HTTP server on 127.0.0.1: a 200 lets the deployment go on, any other
 * answer, a timeout or a refused connection fails it (and ECS rolls back). The Host header reaches the server, so a
 * host-routed listener rule would match.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { checkReady } from '../lib/hooks/pre-traffic-check';

let server: http.Server;
let base: string;
const seenHosts: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seenHosts.push(String(req.headers.host));
    if (req.url === '/health/ready') return void res.writeHead(200).end('{"ok":true}');
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end(), 2000);
    res.writeHead(503).end('{"ok":false}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('succeeds when the new version answers 200, sending the service host', async () => {
  const result = await checkReady({ url: `${base}/health/ready`, host: 'api.example.com', timeoutMs: 1000 });
  expect(result.hookStatus).toBe('SUCCEEDED');
  expect(seenHosts).toContain('api.example.com');
});

test('fails when the new version answers 503', async () => {
  expect(await checkReady({ url: `${base}/degraded`, timeoutMs: 1000 })).toEqual({
    hookStatus: 'FAILED',
    reason: `${base}/degraded answered 503, expected 200`,
  });
});

test('fails when the answer takes longer than the timeout', async () => {
  const result = await checkReady({ url: `${base}/slow`, timeoutMs: 200 });
  expect(result.hookStatus).toBe('FAILED');
  expect(result.reason).toMatch(/no answer within 200 ms/);
});

test('fails when nothing listens', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  expect((await checkReady({ url: `http://127.0.0.1:${port}/health/ready`, timeoutMs: 500 })).hookStatus).toBe('FAILED');
});
