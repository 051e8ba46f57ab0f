/**
 * The compliance gate: cdk-nag rule packs run in every synth of every environment, and any finding that is
 * not acknowledged fails the synth. Acknowledgements are made with `Validations.of(construct).acknowledge`
 * on the narrowest construct, with a reason, and are also written into template metadata (`cdk_nag`) so
 * that reviewers and external scanners see them.
 */
import { App, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

export const RULE_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

export function applyCompliance(app: App): void {
  const props = { writeSuppressionsToCloudFormation: true };
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, props),
    new NIST80053R5Checks(app, props),
    new HIPAASecurityChecks(app, props),
    new PCIDSS321Checks(app, props),
  );
}

/** The packs that carry a rule of the same name across NIST 800-53 R5, HIPAA and PCI DSS. */
const CROSS_PACK_PREFIXES = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/**
 * Acknowledges findings on one construct (and its children), with a reason a reviewer can check.
 * `ids` are full rule IDs (`AwsSolutions-IAM5[Resource::*]`), or `*-Name` for the rule `Name` in every pack
 * of NIST, HIPAA and PCI that has it (`*-IAMNoInlinePolicy`).
 */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  for (const id of ids) {
    const expanded = id.startsWith('*-') ? CROSS_PACK_PREFIXES.map((p) => `${p}-${id.slice(2)}`) : [id];
    for (const ruleId of expanded) Validations.of(scope).acknowledge({ id: ruleId, reason });
  }
}
