/**
 * Names under which stacks publish what other tools need (`npm run verify`, application config, humans):
 * a CloudFormation output whose OutputKey is the name, and an SSM parameter
 * `/<App>/<env>/<kebab-name>`. One module, so the stacks that publish and the scripts that read agree.
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';

export const Outputs = {
  /** RDS Proxy endpoint: all writes, and reads that must see the latest commit. */
  databaseWriterEndpoint: 'DatabaseWriterEndpoint',
  /** Readers: replica lag applies, never for a decision that must see the latest write. */
  databaseReaderEndpoint: 'DatabaseReaderEndpoint',
  databasePort: 'DatabasePort',
  databaseSecretArn: 'DatabaseSecretArn',
  databaseProxyName: 'DatabaseProxyName',
  /** Aurora cluster identifier, or the RDS primary instance identifier with engine `postgres`. */
  databaseIdentifier: 'DatabaseIdentifier',
  /** Comma-separated instance identifiers of the readers (empty with Aurora auto scaling: read the cluster). */
  databaseReaderIdentifiers: 'DatabaseReaderIdentifiers',
  cacheTier: (
    tier: string,
    field: 'PrimaryEndpoint' | 'ReaderEndpoint' | 'Port' | 'SecretArn' | 'ReplicationGroupId' | 'ParameterGroupName',
  ) => `Cache${pascal(tier)}${field}`,
  clusterName: 'ClusterName',
  loadBalancerDnsName: 'LoadBalancerDnsName',
  service: (name: string, field: 'ServiceName' | 'TargetGroupArn' | 'AlternateTargetGroupArn') => `Service${pascal(name)}${field}`,
  alarmTopicArn: 'AlarmTopicArn',
  /** Every alarm of the environment is named with this prefix, so one query finds them all. */
  alarmNamePrefix: 'AlarmNamePrefix',
} as const;

export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The SSM parameter name a published value lives under. */
export function parameterName(appName: string, envName: string, key: string): string {
  return `/${appName}/${envName}/${kebab(key)}`;
}

/**
 * Publishes `value` as a stack output named `key` (at stack level, so the OutputKey is exactly `key`) and as
 * an SSM String parameter.
 */
export function publish(stack: Stack, appName: string, envName: string, key: string, value: string, description: string): void {
  new CfnOutput(stack, key, { value, description });
  new ssm.StringParameter(stack, `${key}Parameter`, {
    parameterName: parameterName(appName, envName, key),
    stringValue: value,
    description,
  });
}
