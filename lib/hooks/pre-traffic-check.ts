/**
 * The pre-traffic hook's check: one request through the load balancer's test listener, which at the
 * POST_TEST_TRAFFIC_SHIFT stage routes to the new version only. Anything but a 200 in time fails the deployment,
 * and ECS rolls back before a single production request reaches the new tasks.
 *
 * Node built-ins only, so that the bundle is small and has nothing to patch. `http.request` rather than `fetch`,
 * because a service routed by host name needs its Host header, which `fetch` does not let a caller set.
 */
import * as http from 'http';

export interface ReadyCheck {
  /** `http://<load balancer>:<test port><path>` */
  readonly url: string;
  /** Host header to send (the service's first routed host), so that a host-routed rule matches. */
  readonly host?: string;
  readonly timeoutMs: number;
}

/** What ECS expects back from a lifecycle hook. */
export interface HookResult {
  readonly hookStatus: 'SUCCEEDED' | 'FAILED';
  /** Why, for the function's log (ECS ignores it). */
  readonly reason: string;
}

export function checkReady(check: ReadyCheck): Promise<HookResult> {
  return new Promise((resolve) => {
    const request = http.get(check.url, { headers: check.host ? { host: check.host } : {}, timeout: check.timeoutMs }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(
        status === 200
          ? { hookStatus: 'SUCCEEDED', reason: `${check.url} answered 200` }
          : { hookStatus: 'FAILED', reason: `${check.url} answered ${status}, expected 200` },
      );
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${check.timeoutMs} ms`)));
    request.on('error', (error) => resolve({ hookStatus: 'FAILED', reason: `${check.url} failed: ${error.message}` }));
  });
}
