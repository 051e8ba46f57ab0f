/**
 * TEMPORARY: a stand-in for the database and cache-tier constructs, which are being built on other branches.
 * It implements `DatabaseEndpoints` and `CacheTierEndpoints` (lib/constructs/handles.ts) with a security group
 * per endpoint and Secrets Manager secrets, but no database and no cache: its endpoints are names under the
 * reserved `.invalid` domain. It exists only so that the service tier compiles, synthesizes and is tested
 * against the interfaces before those constructs land; the integrator replaces it (and the block in
 * lib/stacks/data-stack.ts that creates it) with the real constructs. Nothing else may depend on it.
 */
import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import type { CacheTierEndpoints, DatabaseEndpoints } from './handles';

export interface StandInDataProps {
  readonly vpc: ec2.IVpc;
  readonly databaseKey: kms.IKey;
  readonly cacheKey: kms.IKey;
  /** Cache tiers to stand in for, with their eviction policies. @default critical (noeviction) and hot (allkeys-lru) */
  readonly tiers?: readonly { readonly name: string; readonly evictionPolicy: string }[];
}

const STAND_IN_REASON =
  'TEMPORARY stand-in secret (lib/constructs/stand-in-data.ts) for the database and cache constructs being built on other branches; it guards nothing and is replaced at merge by secrets with rotation.';

/**
 * Lets `client` reach `target` on `port`. The rule is made from the client's side (`allowTo`), so that CDK
 * places the ingress rule in the client's stack: the data stack must never reference the service stack, which
 * depends on it.
 */
function allowClient(client: ec2.IConnectable, target: ec2.IConnectable, port: number, description: string): void {
  client.connections.allowTo(target, ec2.Port.tcp(port), description);
}

function standInSecurityGroup(scope: Construct, id: string, vpc: ec2.IVpc, description: string): ec2.SecurityGroup {
  return new ec2.SecurityGroup(scope, id, { vpc, description, allowAllOutbound: false });
}

class StandInDatabase extends Construct implements DatabaseEndpoints {
  readonly writerEndpoint = 'writer.stand-in.invalid';
  readonly readerEndpoint = 'reader.stand-in.invalid';
  readonly port = 5432;
  readonly databaseName = 'app';
  readonly secret: secretsmanager.Secret;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, vpc: ec2.IVpc, key: kms.IKey) {
    super(scope, id);
    this.securityGroup = standInSecurityGroup(this, 'SecurityGroup', vpc, 'Stand-in database endpoints (temporary)');
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'TEMPORARY stand-in database credentials',
      encryptionKey: key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'app' }),
        generateStringKey: 'password',
        excludePunctuation: true,
      },
    });
    acknowledge(this.secret, STAND_IN_REASON, 'AwsSolutions-SMG4', '*-SecretsManagerRotationEnabled');
  }

  allowFrom(client: ec2.IConnectable): void {
    allowClient(client, this.securityGroup, this.port, 'to the database proxy');
  }

  grantConnect(grantee: iam.IGrantable, dbUser: string): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [`arn:${Aws.PARTITION}:rds-db:${Aws.REGION}:${Aws.ACCOUNT_ID}:dbuser:stand-in/${dbUser}`],
    });
  }
}

class StandInCacheTier extends Construct implements CacheTierEndpoints {
  readonly primaryEndpoint: string;
  readonly readerEndpoint: string;
  readonly port = 6379;
  readonly authSecret: secretsmanager.Secret;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(
    scope: Construct,
    id: string,
    readonly name: string,
    readonly evictionPolicy: string,
    vpc: ec2.IVpc,
    key: kms.IKey,
  ) {
    super(scope, id);
    this.primaryEndpoint = `${name}-primary.stand-in.invalid`;
    this.readerEndpoint = `${name}-reader.stand-in.invalid`;
    this.securityGroup = standInSecurityGroup(this, 'SecurityGroup', vpc, `Stand-in cache tier ${name} (temporary)`);
    this.authSecret = new secretsmanager.Secret(this, 'AuthToken', {
      description: `TEMPORARY stand-in AUTH token of cache tier ${name}`,
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(this.authSecret, STAND_IN_REASON, 'AwsSolutions-SMG4', '*-SecretsManagerRotationEnabled');
  }

  allowFrom(client: ec2.IConnectable): void {
    allowClient(client, this.securityGroup, this.port, `to cache tier ${this.name}`);
  }
}

/** TEMPORARY: see the file comment. */
export class StandInData extends Construct {
  readonly database: DatabaseEndpoints;
  readonly caches: { readonly tiers: readonly CacheTierEndpoints[] };

  constructor(scope: Construct, id: string, props: StandInDataProps) {
    super(scope, id);
    this.database = new StandInDatabase(this, 'Database', props.vpc, props.databaseKey);
    const tiers = props.tiers ?? [
      { name: 'critical', evictionPolicy: 'noeviction' },
      { name: 'hot', evictionPolicy: 'allkeys-lru' },
    ];
    this.caches = {
      tiers: tiers.map((t) => new StandInCacheTier(this, `Cache-${t.name}`, t.name, t.evictionPolicy, props.vpc, props.cacheKey)),
    };
  }
}
