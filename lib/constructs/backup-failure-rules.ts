import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { BackupFailureRule } from '../monitoring/backup-alarms';

export interface BackupFailureRulesProps {
  /** Where the notifications go: the alarm topic. */
  readonly topic: sns.ITopic;
  /**
   * Runbook links of the three kinds of failure.
   * @default - no links
   */
  readonly runbookLinks?: { readonly backup?: string; readonly copy?: string; readonly restoreTest?: string };
}

/** The job states that mean "no recovery point came of it". */
const FAILED_STATES = ['FAILED', 'ABORTED', 'EXPIRED'];

/**
 * Sends AWS Backup jobs that failed (backup, copy, restore test) to the alarm topic. An EventBridge rule in the
 * Monitoring stack rather than the vault's own SNS notifications: the vault lives in the Data stack, which deploys
 * before the topic's stack, and a reference to the topic from there would make the stacks depend on each other.
 *
 * Each environment has an account of its own (config `environment.account`), so the rules match every AWS Backup
 * job of the account and region: the plan's and restore testing's, and any added by hand. Copy jobs run (and
 * report) in the source region. AWS Backup reports a job's outcome in `state` or `status` depending on the event
 * (its documentation shows both), so each pattern accepts either.
 */
export class BackupFailureRules extends Construct {
  readonly backupJobs: events.Rule;
  readonly copyJobs: events.Rule;
  readonly restoreJobs: events.Rule;

  constructor(scope: Construct, id: string, props: BackupFailureRulesProps) {
    super(scope, id);
    const field = (path: string) => events.EventField.fromPath(path);
    const rule = (ruleId: string, detailType: string, description: string, message: string, link?: string) => {
      const created = new events.Rule(this, ruleId, {
        description,
        eventPattern: {
          source: ['aws.backup'],
          detailType: [detailType],
          detail: { $or: [{ state: FAILED_STATES }, { status: FAILED_STATES }] },
        },
      });
      // The topic as a bare target, not `targets.SnsTopic`: that one grants events.amazonaws.com an unscoped
      // sns:Publish (any account's rule), which the permission matrix refuses; the alarm topic's own policy
      // already admits this app's rules, scoped by account and rule ARN (lib/constructs/alarm-topic.ts).
      const input = events.RuleTargetInput.fromText(
        `${message} in ${field('$.region')} at ${field('$.time')}: ${field('$.detail.statusMessage')} (${field('$.resources')})${link ? `. Runbook: ${link}` : ''}`,
      );
      created.addTarget({ bind: () => ({ arn: props.topic.topicArn, input }) });
      return created;
    };
    this.backupJobs = rule(
      'BackupJobs',
      'Backup Job State Change',
      'AWS Backup jobs that failed, were aborted or expired: no new recovery point',
      'AWS Backup job failed',
      props.runbookLinks?.backup,
    );
    this.copyJobs = rule(
      'CopyJobs',
      'Copy Job State Change',
      'AWS Backup copy jobs (cross-region, cross-account) that failed: the copy outside the blast radius is stale',
      'AWS Backup copy job failed',
      props.runbookLinks?.copy,
    );
    this.restoreJobs = rule(
      'RestoreJobs',
      'Restore Job State Change',
      'AWS Backup restore jobs (restore tests among them) that failed: a backup that does not restore',
      'AWS Backup restore job (restore test) failed',
      props.runbookLinks?.restoreTest,
    );
  }

  /** Each rule with the kind of job it reports. */
  get rules(): BackupFailureRule[] {
    return [
      { kind: 'backup', rule: this.backupJobs },
      { kind: 'copy', rule: this.copyJobs },
      { kind: 'restore-test', rule: this.restoreJobs },
    ];
  }
}
