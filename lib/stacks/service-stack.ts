import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import type { Network } from '../constructs/network';
import type { DataStack } from './data-stack';
import { EnvironmentStack } from './environment-stack';

export interface ServiceStackProps {
  readonly config: AppConfig;
  readonly network: Network;
  readonly data: DataStack;
}

/** The stateless layer: the ECS cluster, the load balancer and the services behind it. */
export class ServiceStack extends EnvironmentStack {
  readonly cluster: ecs.Cluster;

  constructor(scope: Construct, props: ServiceStackProps) {
    const { config } = props;
    super(scope, 'Service', {
      config,
      description: `${config.app.name} ${config.environment.name}: ECS Fargate services behind an Application Load Balancer`,
    });
    this.addStackDependency(props.data);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.network.vpc,
      // Per-task CPU, memory and network metrics: what tells a slow task from a starved one.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
  }
}
