import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { Network } from '../constructs/network';
import { EnvironmentStack } from './environment-stack';

export interface NetworkStackProps {
  readonly config: AppConfig;
}

/** The VPC every other layer of the environment lives in. */
export class NetworkStack extends EnvironmentStack {
  readonly network: Network;

  constructor(scope: Construct, props: NetworkStackProps) {
    const { config } = props;
    super(scope, 'Network', {
      config,
      description: `${config.app.name} ${config.environment.name}: VPC, subnets, NAT gateways and flow logs`,
      // Every other stack of the environment sits in this VPC: deleting it by mistake takes them all down.
      terminationProtection: config.environment.production,
    });
    const network = config.network;
    this.network = new Network(this, 'Network', {
      cidr: network.cidr,
      availabilityZones: config.environment.availabilityZones,
      natGateways: network.natGateways,
      subnetCidrMask: network.subnetCidrMask,
      flowLogTrafficType: network.flowLogs.trafficType,
      flowLogRetentionDays: network.flowLogs.retentionDays,
      logGroupPolicy: this.logGroupPolicy,
    });
  }
}
