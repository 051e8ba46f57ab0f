/**
 * The two prefixes of an environment's names, derived here and nowhere else.
 *
 * They differ in case only, because AWS services differ in how they store a name:
 *
 * - `namePrefix`, `<App>-<env>` (`ScaledApp-prod`), as written in configuration: stack names, alarm and dashboard
 *   names, the backup vault and plan, the budget, the load balancer's WAF names. These services keep a name's case.
 * - `identifierPrefix`, the same lowercased (`scaledapp-prod`): RDS identifiers (cluster, instances, proxy and its
 *   endpoints) and what is derived from them (the readers' DNS zone). RDS stores identifiers in lowercase, so a name
 *   built here in another case would not be the one an ARN, a metric dimension or a fault-injection target must
 *   name (lib/database/identifiers.ts).
 */

/** `<App>-<env>` (`ScaledApp-prod`): the prefix of the environment's stack names and of names that keep their case. */
export function namePrefix(appName: string, envName: string): string {
  return `${appName}-${envName}`;
}

/** `<App>-<env>-<Layer>` (`ScaledApp-prod-Data`): the name of one of the environment's stacks. */
export function stackName(appName: string, envName: string, layer: string): string {
  return `${namePrefix(appName, envName)}-${layer}`;
}

/** `<app>-<env>` in lowercase (`scaledapp-prod`): the prefix of identifiers a service stores in lowercase (RDS). */
export function identifierPrefix(appName: string, envName: string): string {
  return namePrefix(appName, envName).toLowerCase();
}
