import { AwsCallError, CredentialsError } from './aws';

/** One line of the verification report. */
export interface CheckResult {
  /** What was checked, e.g. `service api steady` or `cache critical eviction policy`. */
  readonly name: string;
  readonly ok: boolean;
  /** What was found, in words a person acts on. */
  readonly detail: string;
}

export function pass(name: string, detail: string): CheckResult {
  return { name, ok: true, detail };
}

export function fail(name: string, detail: string): CheckResult {
  return { name, ok: false, detail };
}

/**
 * Runs one check and turns what it throws into a failed line named `name`, so that a denied or failing
 * call fails that check only. Missing or expired credentials stop the whole run: nothing else would work.
 */
export async function guard(name: string, check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  try {
    const result = await check();
    return Array.isArray(result) ? result : [result];
  } catch (e) {
    if (e instanceof CredentialsError) throw e;
    return [fail(name, e instanceof AwsCallError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`)];
  }
}
