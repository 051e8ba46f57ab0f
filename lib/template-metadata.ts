/**
 * Template metadata keys the app writes and `npm run diff` reads (scripts/diff/plan.ts). One module without
 * dependencies, so that the diff does not load the constructs to know them. CloudFormation stores metadata
 * and acts on nothing in it.
 */

/** On a stack's template: producer stack name → digest of the resources of it this stack reads. */
export const PRODUCER_DIGEST_METADATA = 'scaled-app:producer-digests';

/** On the Aurora cluster or the `postgres` primary, when config allows its engine's major version to rise. */
export const ALLOW_MAJOR_UPGRADE_METADATA = 'scaled-app:allowMajorVersionUpgrade';

/**
 * On the Monitoring stack's template: what `npm run cost` and the cost section of `npm run diff` need beyond
 * the resources (the region of each stack, the usage assumptions, the budget), so that both price a revision
 * from its templates alone, without loading that revision's configuration.
 */
export const COST_MODEL_METADATA = 'scaled-app:cost-model';

/** The value of COST_MODEL_METADATA; every figure is resolved (defaults applied) by the stack that writes it. */
export interface CostModelMetadata {
  /** The environment's region: the region of every stack not in `stackRegions`. */
  readonly region: string;
  /** Stacks deployed outside `region` (the backup copy vault), by stack name. */
  readonly stackRegions: Readonly<Record<string, string>>;
  /** Monthly budget in the price table's currency, when one is configured. */
  readonly monthlyBudget?: number;
  readonly usage: CostUsage;
}

/** The usage assumptions of the estimate (config/schema/cost.ts describes each). */
export interface CostUsage {
  readonly databaseStorageGiB: number;
  readonly databaseIoMillionsPerMonth: number;
  readonly backupStorageGiB: number;
  readonly natDataGiBPerGateway: number;
  readonly loadBalancerLcus: number;
  readonly logIngestedGiBPerGroup: number;
  readonly bucketStorageGiB: number;
  readonly wafMillionRequestsPerMonth: number;
  readonly fisRunsPerMonth: number;
}
