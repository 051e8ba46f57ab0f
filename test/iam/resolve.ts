/**
 * Resolves the CloudFormation intrinsics of an environment's synthesized templates into the strings AWS would
 * see after deployment, so that the policy evaluator compares real ARNs rather than `{ "Fn::GetAtt": ... }`.
 *
 * Account and region come from the environment's config. A physical ID CloudFormation or the service would
 * generate is derived deterministically from the stack and logical ID (`fakeId`), in the format the service
 * uses (`prx-…`, `cluster-…`, `db-…`, a key UUID, a secret's 6-character suffix). Names the template states
 * (a proxy name, an alarm name, a log group name) are taken as stated. Written here because no library resolves
 * a CDK assembly offline; it covers the intrinsics the templates use and throws on any other, so a new
 * construct cannot slip past the matrix with an unresolved value.
 */
import * as crypto from 'crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: Json } }>;
}

export interface ResolverEnvironment {
  readonly account: string;
  readonly region: string;
  /** Templates by stack name. */
  readonly templates: Readonly<Record<string, CfnTemplate>>;
}

function hash(...parts: string[]): string {
  return crypto.createHash('sha256').update(parts.join('/')).digest('hex');
}

/** A deterministic stand-in for an ID CloudFormation or the service generates. */
export function fakeId(kind: 'upper' | 'lower' | 'uuid' | 'suffix', ...parts: string[]): string {
  const h = hash(...parts);
  if (kind === 'uuid') return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  if (kind === 'suffix') return h.slice(0, 6);
  const base32 = BigInt(`0x${h.slice(0, 26)}`)
    .toString(36)
    .toUpperCase()
    .padStart(20, '0')
    .slice(0, 26);
  return kind === 'upper' ? base32 : base32.toLowerCase();
}

export class Resolver {
  constructor(private readonly env: ResolverEnvironment) {}

  get account(): string {
    return this.env.account;
  }
  get region(): string {
    return this.env.region;
  }

  resource(stack: string, logicalId: string): { Type: string; Properties?: Record<string, Json> } {
    const resource = this.env.templates[stack]?.Resources?.[logicalId];
    if (!resource) throw new Error(`resolve: no resource ${logicalId} in stack ${stack}`);
    return resource;
  }

  /** Resolves every intrinsic in `value`, as evaluated in `stack`. */
  resolve(stack: string, value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return this.intrinsic(stack, keys[0], value[keys[0]]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(stack, v)]));
  }

  /** `resolve`, for a value that must come out a string. */
  string(stack: string, value: Json): string {
    const out = this.resolve(stack, value);
    if (typeof out !== 'string') throw new Error(`resolve: expected a string, got ${JSON.stringify(out)}`);
    return out;
  }

  private intrinsic(stack: string, fn: string, arg: Json): Json {
    switch (fn) {
      case 'Ref':
        return this.ref(stack, arg as string);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof arg === 'string' ? (arg.split('.') as [string, string]) : (arg as [string, string]);
        return this.getAtt(stack, logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, Json[]];
        return (this.resolve(stack, parts) as Json[]).map(String).join(separator);
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, Json];
        return this.string(stack, source).split(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [Json, Json];
        return (this.resolve(stack, list) as Json[])[Number(this.resolve(stack, index))];
      }
      case 'Fn::Sub': {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in vars) return String(this.resolve(stack, vars[name]));
          if (name.includes('.') && !name.startsWith('AWS::')) {
            const [logicalId, attribute] = name.split('.', 2);
            return String(this.getAtt(stack, logicalId, attribute));
          }
          return String(this.ref(stack, name));
        });
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = arg as { StackName: string; OutputName: string };
        const output = this.env.templates[StackName]?.Outputs?.[OutputName];
        if (!output) throw new Error(`resolve: no output ${OutputName} in stack ${StackName}`);
        return this.resolve(StackName, output.Value);
      }
      case 'Fn::ImportValue': {
        const name = this.string(stack, arg);
        for (const [other, template] of Object.entries(this.env.templates)) {
          for (const output of Object.values(template.Outputs ?? {})) {
            if (output.Export && this.resolve(other, output.Export.Name) === name) return this.resolve(other, output.Value);
          }
        }
        throw new Error(`resolve: no export ${name}`);
      }
      default:
        throw new Error(`resolve: ${fn} is not supported (in stack ${stack})`);
    }
  }

  private ref(stack: string, name: string): Json {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': this.account,
      'AWS::Region': this.region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack,
    };
    if (name in pseudo) return pseudo[name];
    const resource = this.resource(stack, name);
    const p = resource.Properties ?? {};
    const named = (key: string) =>
      p[key] !== undefined ? this.string(stack, p[key]) : `${stack}-${name}-${fakeId('upper', stack, name).slice(0, 12)}`;
    switch (resource.Type) {
      case 'AWS::KMS::Key':
        return fakeId('uuid', stack, name);
      case 'AWS::SecretsManager::Secret':
        return this.arn('secretsmanager', `secret:${named('Name')}-${fakeId('suffix', stack, name)}`);
      case 'AWS::SNS::Topic':
        return this.arn('sns', named('TopicName'));
      case 'AWS::SecretsManager::SecretTargetAttachment':
        // Its Ref is the ARN of the secret it attaches.
        return this.resolve(stack, p.SecretId);
      case 'AWS::IAM::Role':
        return named('RoleName');
      case 'AWS::RDS::DBProxy':
        return named('DBProxyName');
      case 'AWS::RDS::DBCluster':
        return named('DBClusterIdentifier').toLowerCase();
      case 'AWS::RDS::DBInstance':
        return named('DBInstanceIdentifier').toLowerCase();
      case 'AWS::Logs::LogGroup':
        return named('LogGroupName');
      case 'AWS::Events::Rule':
        return named('Name');
      case 'AWS::CloudWatch::Alarm':
        return named('AlarmName');
      case 'AWS::CloudWatch::CompositeAlarm':
        return named('AlarmName');
      case 'AWS::ECS::Cluster':
        return named('ClusterName');
      case 'AWS::ECS::TaskDefinition':
        // Its Ref is the ARN of the revision.
        return this.arn('ecs', `task-definition/${named('Family')}:1`);
      case 'AWS::ElasticLoadBalancingV2::TargetGroup':
        // Its Ref is its ARN.
        return this.arn('elasticloadbalancing', `targetgroup/${named('Name').slice(0, 32)}/${fakeId('lower', stack, name).slice(0, 16)}`);
      case 'AWS::ElasticLoadBalancingV2::ListenerRule': {
        // Its Ref is its ARN: the listener's, then the rule's own ID.
        const h = fakeId('lower', stack, name);
        return this.arn('elasticloadbalancing', `listener-rule/app/${stack}-lb/${h.slice(0, 16)}/${h.slice(4, 20)}/${h.slice(8, 24)}`);
      }
      default:
        return `${name}-${fakeId('lower', stack, name).slice(0, 12)}`;
    }
  }

  private getAtt(stack: string, logicalId: string, attribute: string): Json {
    const resource = this.resource(stack, logicalId);
    const ref = () => String(this.ref(stack, logicalId));
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${this.account}:role/${ref()}`;
      case 'AWS::KMS::Key.Arn':
        return this.arn('kms', `key/${ref()}`);
      case 'AWS::SNS::Topic.TopicArn':
        return ref();
      case 'AWS::SNS::Topic.TopicName':
        return ref().split(':').pop()!;
      case 'AWS::RDS::DBProxy.DBProxyArn':
        return this.arn('rds', `db-proxy:prx-${fakeId('lower', stack, logicalId).slice(0, 17)}`);
      case 'AWS::RDS::DBProxy.Endpoint':
        return `${ref()}.proxy-${fakeId('lower', this.account, this.region).slice(0, 12)}.${this.region}.rds.amazonaws.com`;
      case 'AWS::RDS::DBCluster.DBClusterResourceId':
        return `cluster-${fakeId('upper', stack, logicalId)}`;
      case 'AWS::RDS::DBInstance.DbiResourceId':
        return `db-${fakeId('upper', stack, logicalId)}`;
      case 'AWS::RDS::DBCluster.Endpoint.Address':
      case 'AWS::RDS::DBInstance.Endpoint.Address':
        return `${ref()}.${fakeId('lower', this.account, this.region).slice(0, 12)}.${this.region}.rds.amazonaws.com`;
      case 'AWS::Logs::LogGroup.Arn':
        return this.arn('logs', `log-group:${ref()}:*`);
      case 'AWS::CloudWatch::Alarm.Arn':
      case 'AWS::CloudWatch::CompositeAlarm.Arn':
        return this.arn('cloudwatch', `alarm:${ref()}`);
      case 'AWS::Events::Rule.Arn':
        return this.arn('events', `rule/${ref()}`);
      case 'AWS::ECS::Cluster.Arn':
        return this.arn('ecs', `cluster/${ref()}`);
      case 'AWS::Lambda::Function.Arn':
        return this.arn('lambda', `function:${ref()}`);
      default:
        if (attribute === 'Arn') return this.arn(resource.Type.split('::')[1].toLowerCase(), `${logicalId}/${ref()}`);
        return `${logicalId}.${attribute}-${fakeId('lower', stack, logicalId, attribute).slice(0, 12)}`;
    }
  }

  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.account}:${resource}`;
  }
}
