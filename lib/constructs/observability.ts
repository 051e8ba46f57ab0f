/**
 * Every alarm of the environment and its dashboard, owned by one `MonitoringFacade` (cdk-monitoring-constructs):
 * it names the alarms with the environment's prefix, points their ALARM and OK actions at the alarm topic, and
 * draws each alarmed metric on the dashboard with its threshold. docs/observability.md says what is watched and why.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { AlarmKit, type AlarmThresholds } from '../monitoring/alarm-kit';
import { monitorCacheTier } from '../monitoring/cache-alarms';
import type { CacheTier } from './cache-tier';
import type { Database } from './database';
import { monitorDatabase } from '../monitoring/database-alarms';
import type { PublicLoadBalancer } from './load-balancer';
import { type BackupFailureRule, monitorBackupRules } from '../monitoring/backup-alarms';
import { monitorDeploymentRule, monitorLoadBalancer, monitorService } from '../monitoring/service-alarms';
import type { WebService } from './web-service';

export interface ObservabilityProps {
  /** The threshold of every alarm. */
  readonly thresholds: AlarmThresholds;
  /** Where docs/runbook.md is read; each alarm's description links `<runbookUrl>#<section>`. */
  readonly runbookUrl: string;
  /** Start of every alarm name and the dashboard's name (`ScaledApp-prod`). */
  readonly namePrefix: string;
  /** Where every alarm (or the composite alarm it feeds) sends ALARM and OK. */
  readonly topic: sns.ITopic;
  readonly database: Database;
  readonly cacheTiers: readonly CacheTier[];
  readonly services: readonly WebService[];
  readonly loadBalancer: PublicLoadBalancer;
  /** The rule that reports failed ECS deployments. */
  readonly deploymentFailureRule: events.IRule;
  /**
   * The rules that report failed AWS Backup jobs.
   * @default - none
   */
  readonly backupFailureRules?: readonly BackupFailureRule[];
}

export class Observability extends Construct {
  readonly facade: MonitoringFacade;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const action = new SnsAlarmActionStrategy({ onAlarmTopic: props.topic, onOkTopic: props.topic });
    const dashboards = new DefaultDashboardFactory(this, 'Dashboards', {
      dashboardNamePrefix: props.namePrefix,
      detailDashboardRange: Duration.hours(8),
    });
    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: props.namePrefix,
        action,
        actionsEnabled: true,
        // Three one-minute datapoints out of five: a blip does not page, a trend pages within five minutes.
        datapointsToAlarm: 3,
        evaluationPeriods: 5,
      },
      metricFactoryDefaults: { period: Duration.minutes(1) },
      dashboardFactory: dashboards,
    });
    const kit = new AlarmKit({
      facade: this.facade,
      alarmNamePrefix: props.namePrefix,
      thresholds: props.thresholds,
      runbookUrl: props.runbookUrl,
    });

    monitorDatabase(kit, props.database);
    this.facade.addLargeHeader('Cache tiers');
    for (const tier of props.cacheTiers) monitorCacheTier(kit, tier);
    this.facade.addLargeHeader('Services');
    for (const service of props.services) monitorService(kit, service, props.loadBalancer);
    monitorDeploymentRule(kit, props.deploymentFailureRule);
    this.facade.addLargeHeader('Load balancer');
    monitorLoadBalancer(kit, props.loadBalancer);
    if (props.backupFailureRules?.length) {
      this.facade.addLargeHeader('Backups');
      monitorBackupRules(kit, props.backupFailureRules);
    }

    const composites = this.facade.createdCompositeAlarms();
    // The state of every service at a glance.
    dashboards.dashboard!.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Services degraded?', alarms: composites, width: 24, height: 3 }),
    );
    this.dashboard = dashboards.dashboard!;

    for (const { alarm, action: alarmAction } of this.facade.createdAlarms()) {
      if (alarmAction === action) continue;
      acknowledge(
        alarm,
        'A component of a "service degraded" composite alarm, which notifies the alarm topic on ALARM and OK; this alarm has no actions of its own so that one degradation notifies once.',
        '*-CloudWatchAlarmAction',
        'CT.CLOUDWATCH.PR.1',
      );
    }
  }
}
