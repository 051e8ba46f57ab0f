import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { CacheTier } from '../constructs/cache-tier';
import type { Database } from '../constructs/database';
import type { PublicLoadBalancer } from '../constructs/load-balancer';
import type { WebService } from '../constructs/web-service';
import type { AppConfig } from '../../config/schema';
import { AlarmTopic } from '../constructs/alarm-topic';
import { CostBudget } from '../constructs/cost-budget';
import { BackupFailureRules } from '../constructs/backup-failure-rules';
import { DeploymentFailureRule } from '../constructs/deployment-failure-rule';
import { Observability } from '../constructs/observability';
import { runbookLink } from '../monitoring/runbook';
import { Outputs } from '../outputs';
import { ZonalAutoshift } from '../constructs/zonal-autoshift';
import { COST_MODEL_METADATA } from '../template-metadata';
import { costModel } from './cost-model';
import { EnvironmentStack } from './environment-stack';

export interface MonitoringStackProps {
  readonly config: AppConfig;
  /** The typed handles of the other layers that the alarms watch: this stack references them, never the reverse. */
  readonly database: Database;
  readonly cacheTiers: readonly CacheTier[];
  readonly services: readonly WebService[];
  readonly loadBalancer: PublicLoadBalancer;
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
    // Deployed after the layers it watches (the stacks that hold the handles).
    for (const stack of new Set([props.database, props.loadBalancer, ...props.services].map((c) => Stack.of(c))))
      this.addStackDependency(stack);
    const budgetName = `${this.namePrefix}-monthly`;
    const monthlyBudget = config.cost.monthlyBudget;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      subscriptions: config.monitoring.alarmSubscriptions,
      keyRemovalPolicy: this.statefulRemovalPolicy,
      publishers: [
        AlarmTopic.cloudWatchAlarms(this, this.namePrefix),
        AlarmTopic.eventBridgeRules(this, this.namePrefix),
        // Budgets may publish only where a budget exists: a grant without a budget is a grant nobody needs.
        ...(monthlyBudget !== undefined ? [AlarmTopic.budget(this)] : []),
      ],
    });
    if (monthlyBudget !== undefined) {
      this.budget = new CostBudget(this, 'Budget', { budgetName, monthlyLimit: monthlyBudget, topic: this.alarmTopic.topic });
      // Its notifications need the topic's and the key's policies: created after them, not beside them.
      this.budget.node.addDependency(this.alarmTopic);
    }
    // `npm run cost` and `npm run diff` price a revision from its templates alone (docs/cost.md).
    this.templateOptions.metadata = { ...this.templateOptions.metadata, [COST_MODEL_METADATA]: costModel(config) };
    this.deploymentFailures = new DeploymentFailureRule(this, 'DeploymentFailures', {
      services: props.services.map((s) => s.service),
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
    const namePrefix = this.namePrefix;
    this.observability = new Observability(this, 'Observability', {
      thresholds: config.monitoring.thresholds,
      runbookUrl: config.monitoring.runbookUrl,
      namePrefix,
      topic: this.alarmTopic.topic,
      database: props.database,
      cacheTiers: props.cacheTiers,
      services: props.services,
      loadBalancer: props.loadBalancer,
      deploymentFailureRule: this.deploymentFailures.rule,
      backupFailureRules: this.backupFailures.rules,
    });

    const zonalShift = config.loadBalancer.zonalShift;
    if (zonalShift.enabled && zonalShift.autoshift) {
      new ZonalAutoshift(this, 'ZonalAutoshift', {
        loadBalancerArn: props.loadBalancer.loadBalancer.loadBalancerArn,
        // The "service degraded" composites: what users feel, one alarm per service.
        alarms: this.observability.facade.createdCompositeAlarms(),
        blockedWindows: zonalShift.practiceRunBlockedWindows,
        compositeAlarmName: `${namePrefix}-zonal-autoshift-practice-guard`,
      });
    }

    const out = this.publish.bind(this);
    out(Outputs.alarmTopicArn, this.alarmTopic.topic.topicArn, 'SNS topic every alarm of the environment notifies');
    out(Outputs.alarmNamePrefix, `${namePrefix}-`, 'Every alarm of the environment is named with this prefix');
  }
}
