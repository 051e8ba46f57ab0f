import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { EncryptedLogGroup, EncryptionKey, type LogGroupPolicy } from './encryption';

export interface NetworkProps {
  /** IPv4 CIDR block of the VPC. */
  readonly cidr: string;
  /** The zones to span, from configuration (never looked up, so that synthesis is offline). */
  readonly availabilityZones: readonly string[];
  /**
   * NAT gateways for the private subnets, at most one per zone.
   * @default 1
   */
  readonly natGateways?: number;
  /** Prefix length of each subnet of the three tiers (one subnet of each per zone). */
  readonly subnetCidrMask: { readonly public: number; readonly private: number; readonly isolated: number };
  /**
   * Which traffic the flow logs record.
   * @default 'ALL'
   */
  readonly flowLogTrafficType?: keyof typeof ec2.FlowLogTrafficType;
  /** Days to keep the flow logs. */
  readonly flowLogRetentionDays: number;
  /**
   * Removal of the flow-log key and log group, and whether a retention under a year is acknowledged.
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
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
  /** Public addresses of the NAT gateways: what the internet-facing load balancer sees of a caller inside the VPC. */
  readonly natPublicIps: readonly string[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natGateways = props.natGateways ?? 1;
    if (props.availabilityZones.length === 0)
      throw new Error(`Network ${this.node.path}: expected at least one availability zone, got none`);
    if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > props.availabilityZones.length) {
      throw new Error(
        `Network ${this.node.path}: expected natGateways between 1 and the number of zones (${props.availabilityZones.length}), got ${natGateways}`,
      );
    }

    this.logsKey = EncryptionKey.forLogs(this, 'LogsKey', {
      description: 'Encrypts the VPC flow logs',
      removalPolicy: props.logGroupPolicy?.removalPolicy,
    });
    this.flowLogGroup = new EncryptedLogGroup(this, 'FlowLogs', {
      encryptionKey: this.logsKey,
      retentionDays: props.flowLogRetentionDays,
      ...props.logGroupPolicy,
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: Network.PUBLIC, subnetType: ec2.SubnetType.PUBLIC, cidrMask: props.subnetCidrMask.public, mapPublicIpOnLaunch: false },
        { name: Network.PRIVATE, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: props.subnetCidrMask.private },
        { name: Network.ISOLATED, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: props.subnetCidrMask.isolated },
      ],
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
          trafficType: ec2.FlowLogTrafficType[props.flowLogTrafficType ?? 'ALL'],
        },
      },
    });
    Validations.of(this.vpc).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason:
        'Availability zones are configuration (environment.availabilityZones), not a lookup, so that synthesis is offline and deterministic; each environment file names zones of its own region, which validation checks.',
    });
    for (const subnet of this.vpc.publicSubnets) {
      acknowledge(
        subnet,
        'Public subnets route to the internet gateway by design: they hold only the internet-facing load balancer and the NAT gateways. Tasks run in private subnets, data in isolated subnets without any route out.',
        '*-VPCNoUnrestrictedRouteToIGW',
      );
    }
    // CDK creates the function behind restrictDefaultSecurityGroup once per stack, beside (not inside) this construct.
    const restrictDefaultSgHandler = Stack.of(this)
      .node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider')
      .node.findChild('Handler');
    acknowledge(
      restrictDefaultSgHandler,
      "CDK's provider function for restrictDefaultSecurityGroup runs only while CloudFormation creates or updates the VPC, calls only EC2's Revoke/AuthorizeSecurityGroupIngress/Egress on this VPC's default security group and handles no data. CDK offers no VPC placement for it; inside the VPC it configures it would need the NAT gateways or an EC2 endpoint of that VPC, and its network interfaces would hold up subnet deletion when an environment is torn down.",
      'CT.LAMBDA.PR.3',
    );
    // CDK keeps each NAT gateway's Elastic IP as the `EIP` child of its public subnet.
    this.natPublicIps = this.vpc.publicSubnets
      .map((subnet) => subnet.node.tryFindChild('EIP'))
      .filter((eip): eip is ec2.CfnEIP => eip instanceof ec2.CfnEIP)
      .map((eip) => eip.attrPublicIp);
    const flowLogRole = this.vpc.node.findChild('all').node.findChild('IAMRole');
    acknowledge(
      flowLogRole,
      'The flow-log role policy is generated by CDK from grants: it allows writing to this one log group only and lives and dies with this one role.',
      '*-IAMNoInlinePolicy',
    );
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
