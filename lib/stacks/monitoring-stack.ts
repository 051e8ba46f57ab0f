import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { AlarmTopic } from '../constructs/alarm-topic';
import { CostBudget } from '../constructs/cost-budget';
import { BackupFailureRules } from '../constructs/backup-failure-rules';
import { DeploymentFailureRule } from '../constructs/deployment-failure-rule';
import { Observability } from '../constructs/observability';
import { runbookLink } from '../constructs/runbook';
import { Outputs, publish } from '../outputs';
import type { DataStack } from './data-stack';
import { ZonalAutoshift } from '../constructs/zonal-autoshift';
import { COST_MODEL_METADATA } from '../template-metadata';
import { costModel } from './cost-model';
import { EnvironmentStack } from './environment-stack';
import type { ServiceStack } from './service-stack';

export interface MonitoringStackProps {
  readonly config: AppConfig;
  readonly data: DataStack;
  readonly service: ServiceStack;
}

/** Alarms for every failure mode, the alarm topic and the dashboard of the environment. */
export class MonitoringStack extends EnvironmentStack {
  readonly alarmTopic: AlarmTopic;
  readonly deploymentFailures: DeploymentFailureRule;
  /** Failed AWS Backup jobs (backup, copy, restore test) to the alarm topic. */
  readonly backupFailures: BackupFailureRules;
  /** Every alarm of the environment and its dashboard. */
  readonly observability: Observability;
  /** The AWS Budgets budget, where `cost.monthlyBudget` is set. */
  readonly budget?: CostBudget;

  constructor(scope: Construct, props: MonitoringStackProps) {
    const { config } = props;
    super(scope, 'Monitoring', {
      config,
      description: `${config.app.name} ${config.environment.name}: alarms, alarm topic and dashboard`,
    });
    this.addStackDependency(props.data);
    this.addStackDependency(props.service);
    const budgetName = `${config.app.name}-${config.environment.name}-monthly`;
    const monthlyBudget = config.cost.monthlyBudget;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      subscriptions: config.monitoring.alarmSubscriptions,
      production: config.environment.production,
      publishers: [
        AlarmTopic.cloudWatchAlarms(this, `${config.app.name}-${config.environment.name}`),
        AlarmTopic.eventBridgeRules(this, `${config.app.name}-${config.environment.name}`),
        // Budgets may publish only where a budget exists: a grant without a budget is a grant nobody needs.
        ...(monthlyBudget !== undefined ? [AlarmTopic.budget(this, budgetName)] : []),
      ],
    });
    if (monthlyBudget !== undefined) {
      this.budget = new CostBudget(this, 'Budget', { budgetName, monthlyLimit: monthlyBudget, topic: this.alarmTopic.topic });
    }
    // `npm run cost` and `npm run diff` price a revision from its templates alone (docs/cost.md).
    this.templateOptions.metadata = { ...this.templateOptions.metadata, [COST_MODEL_METADATA]: costModel(config) };
    this.deploymentFailures = new DeploymentFailureRule(this, 'DeploymentFailures', {
      services: props.service.services.map((s) => s.service),
      topic: this.alarmTopic.topic,
      runbookLink: runbookLink(config.monitoring.runbookUrl, 'deployment-failed'),
    });
    this.backupFailures = new BackupFailureRules(this, 'BackupFailures', {
      topic: this.alarmTopic.topic,
      runbookLinks: {
        backup: runbookLink(config.monitoring.runbookUrl, 'backup-job-failed'),
        copy: runbookLink(config.monitoring.runbookUrl, 'backup-copy-failed'),
        restoreTest: runbookLink(config.monitoring.runbookUrl, 'restore-test-failed'),
      },
    });
    // The typed handles of the other layers: this stack references them, they never reference it.
    const namePrefix = `${config.app.name}-${config.environment.name}`;
    this.observability = new Observability(this, 'Observability', {
      config: config.monitoring,
      namePrefix,
      topic: this.alarmTopic.topic,
      database: props.data.database,
      cacheTiers: props.data.caches.tiers,
      services: props.service.services,
      loadBalancer: props.service.loadBalancer,
      deploymentFailureRule: this.deploymentFailures.rule,
      backupFailureRules: this.backupFailures.rules,
    });

    const zonalShift = config.loadBalancer.zonalShift;
    if (zonalShift.enabled && zonalShift.autoshift) {
      new ZonalAutoshift(this, 'ZonalAutoshift', {
        loadBalancerArn: props.service.loadBalancer.loadBalancer.loadBalancerArn,
        // The "service degraded" composites: what users feel, one alarm per service.
        alarms: this.observability.facade.createdCompositeAlarms(),
        blockedWindows: zonalShift.practiceRunBlockedWindows,
        compositeAlarmName: `${config.app.name}-${config.environment.name}-zonal-autoshift-practice-guard`,
      });
    }

    const out = (key: string, value: string, description: string) =>
      publish(this, config.app.name, config.environment.name, key, value, description);
    out(Outputs.alarmTopicArn, this.alarmTopic.topic.topicArn, 'SNS topic every alarm of the environment notifies');
    out(Outputs.alarmNamePrefix, `${namePrefix}-`, 'Every alarm of the environment is named with this prefix');
  }
}
