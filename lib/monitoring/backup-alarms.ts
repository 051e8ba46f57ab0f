/**
 * The alarm on the rules that report failed AWS Backup jobs: a rule that cannot publish to the alarm topic leaves
 * failed backups unreported, the way a silent backup failure is usually found (during the restore that needed it).
 */
import type * as events from 'aws-cdk-lib/aws-events';
import { type AlarmKit, GTE, metric } from './alarm-kit';

/** A rule and the kind of job it reports (`backup`, `copy`, `restore-test`): the alarm's name says which. */
export interface BackupFailureRule {
  readonly kind: string;
  readonly rule: events.IRule;
}

export function monitorBackupRules(kit: AlarmKit, rules: readonly BackupFailureRule[]): void {
  kit.facade.monitorCustom({
    alarmFriendlyName: 'backups',
    humanReadableName: 'Failed AWS Backup jobs (EventBridge rules)',
    metricGroups: rules.map(({ kind, rule }) => {
      const dims = { RuleName: rule.ruleName };
      return {
        title: `Failed ${kind} jobs`,
        metrics: [
          metric('AWS/Events', 'TriggeredRules', dims, 'Sum', `Failed ${kind} jobs`),
          kit.alarm(metric('AWS/Events', 'FailedInvocations', dims, 'Sum', 'Notifications not delivered'), {
            name: `${kind}-notifications-failing`,
            section: 'backup-notifications-failing',
            description: `The rule that reports failed AWS Backup ${kind} jobs could not publish to the alarm topic: those failures go unreported.`,
            threshold: 1,
            comparison: GTE,
            datapointsToAlarm: 1,
            evaluationPeriods: 1,
          }),
        ],
      };
    }),
  });
}
