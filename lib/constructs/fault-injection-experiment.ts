/**
 * One AWS FIS experiment template with a role of its own: each experiment may touch only what its own actions
 * need, so that the zone experiment's role cannot reboot a database and the failover's role cannot stop a task.
 *
 * aws-cdk-lib has no L2 for FIS (2.276): this wraps `CfnExperimentTemplate`.
 */
import { Stack } from 'aws-cdk-lib';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import type { FisAction, FisTarget, Permission } from '../chaos/experiments';

export interface FaultInjectionExperimentProps {
  /** Shown in the FIS console and by `npm run chaos -- --list`. */
  readonly description: string;
  readonly targets: Readonly<Record<string, FisTarget>>;
  readonly actions: Readonly<Record<string, FisAction>>;
  /** What the role may do; each statement scoped by ARN or by the environment's tags. */
  readonly permissions: readonly Permission[];
  /** ARNs of the alarms that stop the experiment when any of them is in ALARM. At least one. */
  readonly stopAlarmArns: readonly string[];
  /** Where FIS writes the experiment's log (encrypted with a customer-managed key). */
  readonly logGroup: logs.ILogGroup;
  /** Tags of the template besides the environment's (which every resource gets). */
  readonly tags: Readonly<Record<string, string>>;
}

export class FaultInjectionExperiment extends Construct {
  readonly role: iam.Role;
  readonly template: fis.CfnExperimentTemplate;

  constructor(scope: Construct, id: string, props: FaultInjectionExperimentProps) {
    super(scope, id);
    if (props.stopAlarmArns.length === 0) throw new Error(`${this.node.path}: an experiment needs at least one stop condition`);
    for (const [name, action] of Object.entries(props.actions)) {
      const unknown = Object.values(action.targets).filter((target) => !(target in props.targets));
      if (unknown.length > 0) {
        throw new Error(
          `${this.node.path}: expected action ${name} to name targets of this experiment (${Object.keys(props.targets).join(', ')}), got ${unknown.join(', ')}`,
        );
      }
    }
    const account = Stack.of(this).account;
    // IAM and FIS accept Latin-1 text only: typographic apostrophes become plain ones.
    const description = props.description.replace(/[\u2018\u2019]/g, "'").replace(/[^\t\n\r\x20-\x7E\xA1-\xFF]/g, '-');

    this.role = new iam.Role(this, 'Role', {
      description: `FIS experiment role: ${description}`.slice(0, 1000),
      // Confused-deputy guard: only experiments of this account may assume it.
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
    });
    const statements = props.permissions.map(
      (p) =>
        new iam.PolicyStatement({
          actions: [...p.actions],
          resources: [...p.resources],
          conditions: p.conditions as Record<string, unknown> | undefined,
        }),
    );
    // Log delivery to CloudWatch Logs: these actions have no resource-level permissions.
    statements.push(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
        resources: ['*'],
      }),
    );
    const policy = new iam.Policy(this, 'Policy', { statements });
    this.role.attachInlinePolicy(policy);
    acknowledge(
      policy,
      'The experiment role acts only within this environment: every statement on a resource is scoped by ARN or by the Application and Environment tags (test/chaos/experiments.test.ts evaluates it with an IAM policy evaluator). The `*` statements are the actions that have no resource-level permissions (describe, list, tag:GetResources, ssm:ListCommands/CancelCommand, log delivery); the `/*` ARNs are narrowed by tag conditions or by the managedByFIS tag FIS puts on the network ACLs it creates.',
      // One acknowledgement per wildcard resource, so that a new wildcard is a new finding.
      ...[...new Set(['*', ...props.permissions.flatMap((p) => p.resources)])]
        .filter((r) => r.includes('*'))
        .map((r) => `AwsSolutions-IAM5[Resource::${r}]`),
    );
    acknowledge(this.role, 'A role for one experiment template; its policy lives and dies with it.', '*-IAMNoInlinePolicy');
    acknowledge(policy, 'A role for one experiment template; its policy lives and dies with it.', '*-IAMNoInlinePolicy');

    this.template = new fis.CfnExperimentTemplate(this, 'Resource', {
      description: description.slice(0, 512),
      roleArn: this.role.roleArn,
      targets: Object.fromEntries(
        Object.entries(props.targets).map(([name, t]) => [
          name,
          {
            resourceType: t.resourceType,
            selectionMode: t.selectionMode,
            resourceArns: t.resourceArns ? [...t.resourceArns] : undefined,
            resourceTags: t.resourceTags ? { ...t.resourceTags } : undefined,
            filters: t.filters?.map((f) => ({ path: f.path, values: [...f.values] })),
            parameters: t.parameters ? { ...t.parameters } : undefined,
          },
        ]),
      ),
      actions: Object.fromEntries(
        Object.entries(props.actions).map(([name, a]) => [
          name,
          {
            actionId: a.actionId,
            description: a.description,
            parameters: a.parameters ? { ...a.parameters } : undefined,
            targets: { ...a.targets },
          },
        ]),
      ),
      stopConditions: props.stopAlarmArns.map((value) => ({ source: 'aws:cloudwatch:alarm', value })),
      logConfiguration: { logSchemaVersion: 2, cloudWatchLogsConfiguration: { LogGroupArn: props.logGroup.logGroupArn } },
      // No target found is a misconfiguration (or an environment not yet deployed), never a silent success.
      experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
      tags: { ...props.tags },
    });
    // The role's policy must exist before FIS validates the template against it.
    this.template.node.addDependency(policy);
  }
}
