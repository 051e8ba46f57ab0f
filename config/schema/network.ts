import { z } from 'zod';
import { cidrBlock, int, logRetentionDays } from './primitives';

export const networkSchema = z
  .strictObject({
    cidr: cidrBlock().meta({ description: 'IPv4 CIDR block of the VPC.' }),
    natGateways: int(1, 6).meta({
      description:
        'NAT gateways for the private subnets (at least one: tasks pull images and reach AWS APIs through them). Production requires one per availability zone, so that losing a zone does not cut the others off; other environments may use fewer to save cost.',
    }),
    subnetCidrMask: z
      .strictObject({
        public: int(16, 28).meta({ description: 'Prefix length of each public subnet (load balancer, NAT gateways).' }),
        private: int(16, 28).meta({ description: 'Prefix length of each private subnet with egress (service tasks).' }),
        isolated: int(16, 28).meta({ description: 'Prefix length of each isolated subnet (database, caches).' }),
      })
      .meta({ description: 'Sizes of the three subnet tiers, one subnet of each per availability zone.' }),
    flowLogs: z
      .strictObject({
        trafficType: z.enum(['ALL', 'ACCEPT', 'REJECT']).meta({ description: 'Which traffic the VPC flow logs record.' }),
        retentionDays: logRetentionDays(),
      })
      .meta({ description: 'VPC flow logs, delivered to a KMS-encrypted CloudWatch log group.' }),
  })
  .meta({ description: 'The VPC that holds the environment.' });
