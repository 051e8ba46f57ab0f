/**
 * The compliance gate: cdk-nag rule packs and the AWS Control Tower proactive controls (CloudFormation Guard
 * rules) run in every synth of every environment, and any finding that is not acknowledged fails the synth.
 * Acknowledgements are made with `acknowledge()` below on the narrowest construct, with a reason; they are
 * recorded with `Validations.of(construct).acknowledge`, which suppresses the finding in CDK's validation report,
 * and written into template metadata (`cdk_nag.rules_to_suppress`, `guard.SuppressedRules`) so that reviewers
 * and external scanners see them.
 */
import { App, Aspects, CfnResource, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
  WriteNagSuppressionsToCloudFormationAspect,
} from 'cdk-nag';
import { ControlTowerGuard, controlTowerControls, GUARD_PLUGIN_NAME } from './guard-validator';

export const RULE_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

export interface ComplianceOptions {
  /**
   * Files or directories of an organization's own CloudFormation Guard rules, run beside the Control Tower
   * controls in every synth. `bin/app.ts` reads them from the `guardRules` context key.
   * @default - the bundled Control Tower controls only
   */
  readonly guardRules?: readonly string[];
  /**
   * Check every template against every bundled Control Tower control, not only those that evaluate a resource
   * type the template contains: the same findings at ten times the cost (`npm run compliance:findings -- --all-controls`
   * shows that).
   * @default false
   */
  readonly allControlTowerControls?: boolean;
  /**
   * Run the Control Tower controls and `guardRules` (cfn-guard). `cdk synth` does (`bin/app.ts`, unless the context
   * says `controlTower=false`, which `npm run diff` does: scripts/diff/synth.ts). Turning them off changes no
   * template: their acknowledgements are written into template metadata when made, not by the check. The test
   * suite turns them off where its subject is not compliance (cfn-guard takes about 2 s per template it has not
   * seen, most of the suite's time when every variant ran it) and runs them on every environment and on the
   * variants teams make (test/compliance.test.ts); see docs/testing.md.
   * @default true
   */
  readonly controlTower?: boolean;
  /**
   * A directory for the content-addressed cache of cfn-guard's findings (`ControlTowerGuard`'s `resultCacheDir`).
   * `bin/app.ts` sets it from `GUARD_RESULT_CACHE_DIR`, which the test suite sets.
   * @default - no cache
   */
  readonly guardResultCacheDir?: string;
  /**
   * Run the cdk-nag packs (`RULE_PACKS`). `cdk synth` does (`bin/app.ts`, unless the context says `nagPacks=false`,
   * which `npm run diff` does: scripts/diff/synth.ts). Turning them off changes no template: the acknowledgements
   * are written into template metadata (`cdk_nag.rules_to_suppress`) by an aspect that runs either way, not by the
   * packs' check. The test suite turns them off where its subject is not compliance, as it does the Control Tower
   * controls (about a quarter of a synthesis's CPU in the suite); see docs/testing.md.
   * @default true
   */
  readonly nagPacks?: boolean;
}

export function applyCompliance(app: App, options: ComplianceOptions = {}): void {
  if (options.nagPacks === false) {
    // What the packs' `writeSuppressionsToCloudFormation` adds: the acknowledgements in template metadata.
    Aspects.of(app).add(new WriteNagSuppressionsToCloudFormationAspect());
  } else {
    const props = { writeSuppressionsToCloudFormation: true };
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app, props),
      new NIST80053R5Checks(app, props),
      new HIPAASecurityChecks(app, props),
      new PCIDSS321Checks(app, props),
    );
  }
  if (options.controlTower === false) return;
  // Registered on the App, so CDK runs it once per synth of the app, over every stack's template.
  Validations.of(app).addPlugins(
    new ControlTowerGuard({
      rules: options.guardRules,
      allControls: options.allControlTowerControls,
      resultCacheDir: options.guardResultCacheDir,
    }),
  );
}

/** The packs that carry a rule of the same name across NIST 800-53 R5, HIPAA and PCI DSS. */
const CROSS_PACK_PREFIXES = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** `CT.S3.PR.10`: a Control Tower control; `cfn-guard::RULE`: a rule of an organization's own Guard rules. */
const CONTROL_TOWER_ID = /^CT\.[A-Z0-9-]+\.PR\.\d+$/;
const GUARD_PREFIX = `${GUARD_PLUGIN_NAME}::`;

/**
 * Acknowledges findings on one construct (and its children), with a reason a reviewer can check.
 *
 * - cdk-nag: full rule IDs (`AwsSolutions-IAM5[Resource::*]`), or `*-Name` for the rule `Name` in every pack
 *   of NIST, HIPAA and PCI that has it (`*-IAMNoInlinePolicy`).
 * - Control Tower: the control ID (`CT.S3.PR.10`); an organization's own Guard rule: `cfn-guard::RULE_NAME`.
 *   Guard rules judge CloudFormation resources, so these acknowledgements must name one: `scope` is a
 *   `CfnResource` or a construct whose default child is one. Besides the acknowledgement, the Guard rule's name
 *   is added to the resource's `Metadata.guard.SuppressedRules`, where Guard rules written for suppression
 *   (those of the AWS Guard Rules Registry, say) look for it.
 */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  for (const id of ids) {
    if (CONTROL_TOWER_ID.test(id) || id.startsWith(GUARD_PREFIX)) {
      acknowledgeGuardRule(scope, reason, id);
      continue;
    }
    const expanded = id.startsWith('*-') ? CROSS_PACK_PREFIXES.map((p) => `${p}-${id.slice(2)}`) : [id];
    for (const ruleId of expanded) Validations.of(scope).acknowledge({ id: ruleId, reason });
  }
}

/** The cdk-nag rules that ask a function to reserve concurrency (NIST 800-53 R5 and HIPAA; PCI DSS has none). */
const LAMBDA_CONCURRENCY_RULES = ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'] as const;

/**
 * The concurrency one of this project's functions reserves: `executions`, unless its construct was told not to
 * reserve any (`reserveConcurrency: false`), for an account whose quota leaves no room: Lambda refuses a reservation
 * that leaves fewer than 100 unreserved concurrent executions, and a new account can start with a quota of 10 or 50,
 * where the first deploy would fail on the function. Without the reservation, `acknowledgeUnreservedConcurrency`
 * says why on the function.
 */
export function concurrencyReservation(reserve: boolean | undefined, executions: number): number | undefined {
  return reserve === false ? undefined : executions;
}

/**
 * Where `fn` reserves no concurrency (`concurrencyReservation`), acknowledges the packs' LambdaConcurrency rules on
 * it, with who invokes it and how often (`invokedBy`), which is what a reservation would have bounded. Read from the
 * function itself, so the acknowledgement is there exactly when the reservation is not.
 */
export function acknowledgeUnreservedConcurrency(fn: lambda.Function, invokedBy: string): void {
  if ((fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions !== undefined) return;
  acknowledge(
    fn,
    `No concurrency is reserved (reserveConcurrency: false): Lambda refuses a reservation that leaves the account fewer than 100 unreserved concurrent executions, which this account's quota cannot give. ${invokedBy}`,
    ...LAMBDA_CONCURRENCY_RULES,
  );
}

function acknowledgeGuardRule(scope: IConstruct, reason: string, id: string): void {
  const resource = CfnResource.isCfnResource(scope) ? scope : scope.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(
      `Guard rule ${id} is acknowledged on ${scope.node.path}, which is not a CloudFormation resource and has none as default child: acknowledge it on the resource itself.`,
    );
  }
  let guardRuleName: string;
  if (id.startsWith(GUARD_PREFIX)) {
    guardRuleName = id.slice(GUARD_PREFIX.length);
  } else {
    const control = controlTowerControls().get(id);
    if (!control) throw new Error(`Unknown Control Tower control ${id} acknowledged on ${scope.node.path}`);
    guardRuleName = control.guardRuleName;
  }
  Validations.of(resource).acknowledge({ id: id.startsWith(GUARD_PREFIX) ? id : `${GUARD_PREFIX}${id}`, reason });
  const guard = (resource.getMetadata('guard') as { SuppressedRules?: string[] } | undefined) ?? {};
  const suppressed = new Set(guard.SuppressedRules ?? []).add(guardRuleName);
  resource.addMetadata('guard', { ...guard, SuppressedRules: [...suppressed].sort() });
}
