import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { AlarmTopic } from '../constructs/alarm-topic';
import { DeploymentFailureRule } from '../constructs/deployment-failure-rule';
import type { DataStack } from './data-stack';
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
    });
  }
}
