import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { AlarmTopic } from '../constructs/alarm-topic';
import { DeploymentFailureRule } from '../constructs/deployment-failure-rule';
import { Observability } from '../constructs/observability';
import { runbookLink } from '../constructs/runbook';
import { Outputs, publish } from '../outputs';
import type { DataStack } from './data-stack';
import { ZonalAutoshift } from '../constructs/zonal-autoshift';
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
  /** Every alarm of the environment and its dashboard. */
  readonly observability: Observability;

  constructor(scope: Construct, props: MonitoringStackProps) {
    const { config } = props;
    super(scope, 'Monitoring', {
      config,
      description: `${config.app.name} ${config.environment.name}: alarms, alarm topic and dashboard`,
    });
    this.addStackDependency(props.data);
    this.addStackDependency(props.service);
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      subscriptions: config.monitoring.alarmSubscriptions,
      production: config.environment.production,
    });
    this.deploymentFailures = new DeploymentFailureRule(this, 'DeploymentFailures', {
      services: props.service.services.map((s) => s.service),
      topic: this.alarmTopic.topic,
      runbookLink: runbookLink(config.monitoring.runbookUrl, 'deployment-failed'),
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
    });

    const zonalShift = config.loadBalancer.zonalShift;
    if (zonalShift.enabled && zonalShift.autoshift) {
      new ZonalAutoshift(this, 'ZonalAutoshift', {
        loadBalancerArn: props.service.loadBalancer.loadBalancer.loadBalancerArn,
        // The "service degraded" composites: what users feel, one alarm per service.
        alarms: this.observability.facade.createdCompositeAlarms(),
        blockedWindows: zonalShift.practiceRunBlockedWindows,
      });
    }

    const out = (key: string, value: string, description: string) =>
      publish(this, config.app.name, config.environment.name, key, value, description);
    out(Outputs.alarmTopicArn, this.alarmTopic.topic.topicArn, 'SNS topic every alarm of the environment notifies');
    out(Outputs.alarmNamePrefix, `${namePrefix}-`, 'Every alarm of the environment is named with this prefix');
  }
}
