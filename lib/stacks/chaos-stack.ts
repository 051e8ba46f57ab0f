import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { EXPERIMENT_TAG, planExperiments, stopAlarmArn } from '../chaos/experiments';
import { EncryptedLogGroup, type EncryptionKey } from '../constructs/encryption';
import { FaultInjectionExperiment } from '../constructs/fault-injection-experiment';
import { pascal } from '../outputs';
import { EnvironmentStack } from './environment-stack';
import type { MonitoringStack } from './monitoring-stack';

export interface ChaosStackProps {
  readonly config: AppConfig;
  /** Deployed first: the experiments stop on its alarms, which must exist when FIS validates a template. */
  readonly monitoring: MonitoringStack;
}

/**
 * The fault-injection experiments of the environment (docs/chaos.md), in a stack of their own so that adding or
 * removing them never touches the layers they exercise. They name their targets and alarms by ARN and tag, never
 * by cross-stack reference: no other stack exports anything to this one.
 */
export class ChaosStack extends EnvironmentStack {
  /** Encrypts the experiments' logs. */
  readonly logsKey: EncryptionKey;
  readonly logGroup: EncryptedLogGroup;
  readonly experiments: readonly FaultInjectionExperiment[];

  constructor(scope: Construct, props: ChaosStackProps) {
    const { config } = props;
    super(scope, 'Chaos', {
      config,
      description: `${config.app.name} ${config.environment.name}: fault-injection experiments (AWS FIS), stopped by the environment's alarms`,
    });
    this.addStackDependency(props.monitoring);
    this.logsKey = this.newLogsKey('LogsKey', 'Encrypts the logs of the fault-injection experiments');
    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: this.logsKey,
      retentionDays: config.chaos.logRetentionDays,
      ...this.logGroupPolicy,
    });

    this.experiments = planExperiments(config).planned.map(
      (plan) =>
        new FaultInjectionExperiment(this, pascal(plan.id), {
          description: `${plan.title} (${config.app.name} ${config.environment.name}): hypothesis and recovery time in docs/chaos.md#${plan.id}`,
          targets: plan.targets,
          actions: plan.actions,
          permissions: plan.permissions,
          stopAlarmArns: plan.stopAlarmNames.map((name) => stopAlarmArn(config, name)),
          logGroup: this.logGroup,
          tags: { [EXPERIMENT_TAG]: plan.id, Name: `${this.namePrefix}-${plan.id}` },
        }),
    );
  }
}
