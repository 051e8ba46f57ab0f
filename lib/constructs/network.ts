import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { NetworkConfig } from '../../config/schema';
import { EncryptedLogGroup, EncryptionKey } from './encryption';

export interface NetworkProps {
  readonly config: NetworkConfig;
  /** The zones to span, from configuration (never looked up, so that synthesis is offline). */
  readonly availabilityZones: readonly string[];
  readonly production: boolean;
}

/**
 * The VPC: a public, a private (with egress) and an isolated subnet in every configured zone, flow logs to an
 * encrypted log group, and the default security group stripped of its rules so that nothing can fall back on it.
 */
export class Network extends Construct {
  /** Subnet group names; constructs select subnets through these, not by type guessing. */
  static readonly PUBLIC = 'public';
  static readonly PRIVATE = 'private';
  static readonly ISOLATED = 'isolated';

  readonly vpc: ec2.Vpc;
  /** Encrypts the flow logs; stateful, so its construct ID is pinned by tests. */
  readonly logsKey: EncryptionKey;
  readonly flowLogGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config, production } = props;

    this.logsKey = new EncryptionKey(this, 'LogsKey', {
      description: 'Encrypts the VPC flow logs',
      production,
      forCloudWatchLogs: true,
    });
    this.flowLogGroup = new EncryptedLogGroup(this, 'FlowLogs', {
      encryptionKey: this.logsKey,
      retentionDays: config.flowLogs.retentionDays,
      production,
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(config.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: config.natGateways,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: Network.PUBLIC, subnetType: ec2.SubnetType.PUBLIC, cidrMask: config.subnetCidrMask.public, mapPublicIpOnLaunch: false },
        { name: Network.PRIVATE, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: config.subnetCidrMask.private },
        { name: Network.ISOLATED, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: config.subnetCidrMask.isolated },
      ],
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
          trafficType: ec2.FlowLogTrafficType[config.flowLogs.trafficType],
        },
      },
    });
    Validations.of(this.vpc).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason:
        'Availability zones are configuration (environment.availabilityZones), not a lookup, so that synthesis is offline and deterministic; each environment file names zones of its own region, which validation checks.',
    });
  }

  /** The isolated subnets that hold the data tier (database, caches). */
  get dataSubnets(): ec2.SubnetSelection {
    return { subnetGroupName: Network.ISOLATED };
  }

  /** The private subnets, with egress through NAT, that hold service tasks. */
  get serviceSubnets(): ec2.SubnetSelection {
    return { subnetGroupName: Network.PRIVATE };
  }

  /** The public subnets that hold the load balancer. */
  get publicSubnets(): ec2.SubnetSelection {
    return { subnetGroupName: Network.PUBLIC };
  }
}
