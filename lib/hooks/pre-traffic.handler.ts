/**
 * Lambda entry of the pre-traffic hook (bundled by NodejsFunction). ECS invokes it at POST_TEST_TRAFFIC_SHIFT
 * with the deployment's details; the answer is `{ hookStatus }`, and FAILED rolls the deployment back.
 */
import { checkReady, type HookResult } from './pre-traffic-check';

export async function handler(event: unknown): Promise<HookResult> {
  const result = await checkReady({
    url: process.env.HOOK_URL ?? '',
    host: process.env.HOOK_HOST || undefined,
    timeoutMs: Number(process.env.HOOK_TIMEOUT_MS ?? '5000'),
  });
  console.log(JSON.stringify({ event, ...result }));
  return result;
}
