/**
 * Which requests from the internet reach a service: every environment's public listener evaluated the way the load
 * balancer evaluates it (test/support/alb-rules.ts: rules by priority, the first whose conditions all match). The
 * reference service's deep health check (a database and cache login per request) and its metrics are answered by
 * the load balancer itself (`loadBalancer.internalPaths`); the test listener of a traffic-shifting deployment, which
 * only the VPC's NAT gateways reach, still routes them, so the pre-traffic hook can check the new tasks.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { listEnvironments } from '../config/load';
import type { Feed } from '../services/api/src/feed';
import { createApp } from '../services/api/src/server';
import { settingsFromEnv } from '../services/api/src/settings';
import { evaluateListener } from './support/alb-rules';
import { configOf, synth } from './support/synth';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/** The listener that carries the services' rules: HTTPS, or HTTP on port 80 where there is no certificate. */
function publicListener(template: Template): string {
  const listeners = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener');
  const https = listeners.find(([, r]) => r.Properties.Protocol === 'HTTPS');
  const http = listeners.find(([, r]) => r.Properties.Port === 80);
  return (https ?? http)![0];
}

const apiTargetGroup = /^ApiServiceTargetGroup[0-9A-F]{8}$/;

describe.each(listEnvironments())('%s: a request from the internet', (env) => {
  const built = () => synth(env);
  const template = () => built().template('service').toJSON() as Template;
  const request = (path: string) => evaluateListener(template(), publicListener(template()), { path });

  test.each(['/health/ready', '/metrics'])('GET %s is answered 404 by the load balancer, never forwarded', (path) => {
    expect(built().config.loadBalancer.internalPaths).toContain(path);
    expect(request(path)).toEqual({ action: 'fixed-response', status: 404, rule: expect.stringMatching(/^LoadBalancerInternalPaths/) });
  });

  test.each(['/', '/health/live', '/feed/alice', '/health/ready/x', '/metricsx'])('GET %s goes to the api service', (path) => {
    expect(request(path)).toMatchObject({ action: 'forward', targetGroups: [expect.stringMatching(apiTargetGroup)] });
  });

  test('the test listener, where there is one, still routes the internal paths to the service (the pre-traffic hook)', () => {
    const t = template();
    const port = built().config.loadBalancer.testListenerPort;
    const test = Object.entries(t.Resources).find(
      ([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties.Port === port,
    );
    if (!test) return expect(built().config.services.api?.deployment.preTrafficHook).toBeUndefined();
    expect(evaluateListener(t, test[0], { path: '/health/ready' })).toMatchObject({ action: 'forward' });
  });
});

test('with internalPaths [], the public listener forwards every path to the services', () => {
  const t = synth(configOf('dev', { loadBalancer: { internalPaths: [] } }))
    .template('service')
    .toJSON() as Template;
  expect(Object.keys(t.Resources).filter((id) => id.startsWith('LoadBalancerInternalPaths'))).toEqual([]);
  expect(evaluateListener(t, publicListener(t), { path: '/health/ready' })).toMatchObject({ action: 'forward' });
});

/**
 * The load balancer matches the path as sent; the service parses it. Each crafted path below goes through prod's
 * public listener as the load balancer evaluates it, and where it is forwarded, to the real service (health checks
 * and its routes, no dependency: its /health/ready would answer 200 at once) on 127.0.0.1: no path may get the
 * readiness report or the metrics past the load balancer.
 */
describe('a crafted path that the load balancer forwards does not reach the internal endpoints', () => {
  const CRAFTED = [
    '/health/ready/',
    '/health/./ready',
    '/x/../health/ready',
    '/health/%2e/ready',
    '//health/ready',
    '/Health/Ready',
    '/metrics/',
    '/./metrics',
    '/metrics/..',
    '/%2e/metrics',
  ];
  // A feed for the routes: only `metrics()` is reachable without a dependency, and it must not be reached.
  const feed = { metrics: () => ({ breakers: [] }) } as unknown as Feed;
  const server = createApp({ settings: settingsFromEnv({}), feed });
  let port: number;
  beforeAll(() =>
    new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())).then(() => {
      port = (server.address() as AddressInfo).port;
    }),
  );
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** The service's status for a raw request path (sent as is: Node's client does not normalize it). */
  const get = (rawPath: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: rawPath, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject).end();
    });

  test('the service itself serves both internal endpoints (so a 200 below would be a leak)', async () => {
    expect(await get('/health/ready')).toBe(200);
    expect(await get('/metrics')).toBe(200);
  });

  test.each(CRAFTED)('%s', async (rawPath) => {
    const t = synth('prod').template('service').toJSON() as Template;
    const outcome = evaluateListener(t, publicListener(t), { path: rawPath.split('?')[0] });
    if (outcome.action === 'forward') expect(await get(rawPath)).not.toBe(200);
    else expect(outcome).toMatchObject({ action: 'fixed-response', status: 404 });
  });
});
