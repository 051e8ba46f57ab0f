/**
 * The deploy plan's judgement on small hand-made assemblies (no synthesis): one case per hazard kind, the
 * near misses that must stay quiet, the allow-list, the exit code and what the PR comment shows. Which
 * property replaces a resource is not written here: `fullDiff` reads it from the service specification
 * (a target group's Port replaces it; its HealthCheckPath does not).
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { compareRevisions } from '../scripts/diff/engine';
import { type Hazard, deployOrder, planHazards } from '../scripts/diff/plan';
import { renderMarkdown, renderText } from '../scripts/diff/report';
import type { CfnTemplate, RevisionTemplates, StackTemplates } from '../scripts/diff/synth';
import { TRAFFIC_TABLE, trafficImpact } from '../scripts/diff/traffic';

const REVISION = { ref: 'origin/main', commit: '0123456789abcdef0123456789abcdef01234567' };
const weak = (stack: string, output: string) => ({ 'Fn::GetStackOutput': { StackName: stack, OutputName: output, Region: 'eu-west-1' } });

function stacks(entries: Record<string, CfnTemplate>, dependencies?: Record<string, string[]>): StackTemplates {
  const map: StackTemplates = new Map(Object.entries(entries));
  if (dependencies) map.dependencies = new Map(Object.entries(dependencies));
  return map;
}

// A producer with a target group published by a weak reference, and a monitoring stack whose alarm reads it.
const targetGroup = (port: number, path = '/health/live') => ({
  Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
  Properties: { Port: port, Protocol: 'HTTP', HealthCheckPath: path, VpcId: 'vpc-1' },
});
const service = (port: number, path?: string): CfnTemplate => ({
  Resources: { TargetGroup: targetGroup(port, path) },
  Outputs: { TargetGroupFullName: { Value: { 'Fn::GetAtt': ['TargetGroup', 'TargetGroupFullName'] } } },
});
const monitoring = (extra: Record<string, unknown> = {}): CfnTemplate => ({
  Resources: {
    UnhealthyHosts: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Dimensions: [{ Name: 'TargetGroup', Value: weak('App-Service', 'TargetGroupFullName') }] },
    },
  },
  ...extra,
});
const ORDER = { 'App-Service': [], 'App-Monitoring': ['App-Service'] };

function only(hazards: Hazard[]): Hazard {
  expect(hazards).toHaveLength(1);
  return hazards[0];
}

describe('stale consumer', () => {
  test('a replaced resource read through Fn::GetStackOutput by a stack whose template stays identical is a stale consumer', () => {
    const hazard = only(
      planHazards({
        env: 'prod',
        before: stacks({ 'App-Service': service(8080), 'App-Monitoring': monitoring() }),
        after: stacks({ 'App-Service': service(9090), 'App-Monitoring': monitoring() }, ORDER),
      }),
    );
    expect(hazard).toMatchObject({
      kind: 'stale-consumer',
      stack: 'App-Service',
      logicalId: 'TargetGroup',
      type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
      consumer: { stack: 'App-Monitoring', logicalIds: ['UnhealthyHosts'] },
    });
    expect(hazard.why).toContain('TargetGroup (AWS::ElasticLoadBalancingV2::TargetGroup) is replaced');
    expect(hazard.safeWay.join(' ')).toContain('cdk deploy App-Monitoring --exclusively --force');
  });

  test('an output whose expression changes is a stale consumer too', () => {
    const after = service(8080);
    after.Outputs = { TargetGroupFullName: { Value: { 'Fn::GetAtt': ['TargetGroup', 'LoadBalancerArns'] } } };
    expect(
      only(
        planHazards({
          env: 'prod',
          before: stacks({ 'App-Service': service(8080), 'App-Monitoring': monitoring() }),
          after: stacks({ 'App-Service': after, 'App-Monitoring': monitoring() }),
        }),
      ),
    ).toMatchObject({ kind: 'stale-consumer', why: expect.stringContaining('changes its value') });
  });

  test('no hazard when the property changes in place (the service specification says HealthCheckPath does not replace)', () => {
    expect(
      planHazards({
        env: 'prod',
        before: stacks({ 'App-Service': service(8080), 'App-Monitoring': monitoring() }),
        after: stacks({ 'App-Service': service(8080, '/ready'), 'App-Monitoring': monitoring() }, ORDER),
      }),
    ).toEqual([]);
  });

  test('no hazard when the consumer template changes with the producer (CloudFormation re-reads the value)', () => {
    expect(
      planHazards({
        env: 'prod',
        before: stacks({ 'App-Service': service(8080), 'App-Monitoring': monitoring({ Metadata: { digest: 'a' } }) }),
        after: stacks({ 'App-Service': service(9090), 'App-Monitoring': monitoring({ Metadata: { digest: 'b' } }) }, ORDER),
      }),
    ).toEqual([]);
  });
});

describe('in-use deletion', () => {
  const sg = { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'cache tier', VpcId: 'vpc-1' } };
  const data = (withTier: boolean): CfnTemplate => ({
    Resources: withTier ? { TierSecurityGroup: sg } : {},
    Outputs: withTier ? { TierGroupId: { Value: { 'Fn::GetAtt': ['TierSecurityGroup', 'GroupId'] } } } : {},
  });
  const serviceStack = (withRule: boolean): CfnTemplate => ({
    Resources: withRule
      ? {
          ToTier: {
            Type: 'AWS::EC2::SecurityGroupEgress',
            Properties: {
              GroupId: 'sg-service',
              IpProtocol: 'tcp',
              FromPort: 6379,
              ToPort: 6379,
              DestinationSecurityGroupId: weak('App-Data', 'TierGroupId'),
            },
          },
        }
      : {},
  });

  test('a security group removed from a stack that deploys before the stack whose rule still names it is an in-use deletion', () => {
    const hazard = only(
      planHazards({
        env: 'prod',
        before: stacks({ 'App-Data': data(true), 'App-Service': serviceStack(true) }),
        after: stacks({ 'App-Data': data(false), 'App-Service': serviceStack(false) }, { 'App-Data': [], 'App-Service': ['App-Data'] }),
      }),
    );
    expect(hazard).toMatchObject({
      kind: 'in-use-deletion',
      stack: 'App-Data',
      logicalId: 'TierSecurityGroup',
      consumer: { stack: 'App-Service', logicalIds: ['ToTier'] },
    });
    expect(hazard.why).toContain('DependencyViolation');
    expect(hazard.safeWay[0]).toContain('cdk deploy App-Service --exclusively');
  });

  test('no hazard when the stack that names it deploys first (it lets go before the deletion)', () => {
    expect(
      planHazards({
        env: 'prod',
        before: stacks({ 'App-Data': data(true), 'App-Service': serviceStack(true) }),
        after: stacks({ 'App-Data': data(false), 'App-Service': serviceStack(false) }, { 'App-Data': ['App-Service'], 'App-Service': [] }),
      }),
    ).toEqual([]);
  });

  test('no hazard when only an alarm names it (a dimension is a string, it never blocks a deletion)', () => {
    const alarms: CfnTemplate = {
      Resources: {
        Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Dimensions: [{ Name: 'Group', Value: weak('App-Data', 'TierGroupId') }] } },
      },
    };
    const after: CfnTemplate = { Resources: {} };
    expect(
      planHazards({
        env: 'prod',
        before: stacks({ 'App-Data': data(true), 'App-Monitoring': alarms }),
        after: stacks({ 'App-Data': data(false), 'App-Monitoring': after }, { 'App-Data': [], 'App-Monitoring': ['App-Data'] }),
      }),
    ).toEqual([]);
  });
});

describe('export lock', () => {
  const producer = (port: number, exported = true): CfnTemplate => ({
    Resources: { TargetGroup: targetGroup(port) },
    Outputs: exported ? { TgArn: { Value: { Ref: 'TargetGroup' }, Export: { Name: 'App-Service:TgArn' } } } : {},
  });
  const importer: CfnTemplate = {
    Resources: {
      Rule: {
        Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
        Properties: { Actions: [{ TargetGroupArn: { 'Fn::ImportValue': 'App-Service:TgArn' } }] },
      },
    },
  };

  test('an imported export whose value changes (its resource is replaced) is an export lock', () => {
    const hazard = only(
      planHazards({
        env: 'prod',
        before: stacks({ 'App-Service': producer(8080), 'App-Edge': importer }),
        after: stacks({ 'App-Service': producer(9090), 'App-Edge': importer }),
      }),
    );
    expect(hazard).toMatchObject({
      kind: 'export-lock',
      stack: 'App-Service',
      logicalId: 'TargetGroup',
      consumer: { stack: 'App-Edge', logicalIds: ['Rule'] },
    });
    expect(hazard.why).toContain('in use by App-Edge');
    expect(hazard.safeWay).toHaveLength(2);
  });

  test('an imported export that is removed is an export lock', () => {
    const hazard = only(
      planHazards({
        env: 'prod',
        before: stacks({ 'App-Service': producer(8080), 'App-Edge': importer }),
        after: stacks({ 'App-Service': producer(8080, false), 'App-Edge': { Resources: {} } }),
      }),
    );
    expect(hazard).toMatchObject({ kind: 'export-lock', why: expect.stringContaining('is removed') });
  });

  test('no hazard when nothing imports the export', () => {
    expect(
      planHazards({ env: 'prod', before: stacks({ 'App-Service': producer(8080) }), after: stacks({ 'App-Service': producer(9090) }) }),
    ).toEqual([]);
  });
});

describe('engine version', () => {
  const cluster = (version: string, allow = false): CfnTemplate => ({
    Resources: {
      Cluster: {
        Type: 'AWS::RDS::DBCluster',
        Properties: { Engine: 'aurora-postgresql', EngineVersion: version },
        ...(allow ? { Metadata: { 'scaled-app:allowMajorVersionUpgrade': true } } : {}),
      },
    },
  });
  const plan = (from: string, to: string, allow = false) =>
    planHazards({ env: 'prod', before: stacks({ 'App-Data': cluster(from) }), after: stacks({ 'App-Data': cluster(to, allow) }) });

  test('fails when the major rises without allowMajorVersionUpgrade in config', () => {
    expect(only(plan('16', '17'))).toMatchObject({
      kind: 'engine-version',
      logicalId: 'Cluster',
      why: expect.stringContaining('allowMajorVersionUpgrade'),
    });
  });
  test('fails when the version goes down: RDS cannot downgrade', () => {
    expect(only(plan('17.9', '17.7')).why).toContain('cannot downgrade');
    expect(only(plan('17', '16', true)).why).toContain('cannot downgrade');
  });
  test('a declared major upgrade, and the move from a pinned minor to the major alone, pass', () => {
    expect(plan('16', '17', true)).toEqual([]);
    expect(plan('17.7', '17')).toEqual([]);
  });
});

describe('the diff report', () => {
  const revision = (entries: Record<string, CfnTemplate>): RevisionTemplates => new Map([['prod', stacks(entries, ORDER)]]);
  const base = revision({ 'App-Service': service(8080), 'App-Monitoring': monitoring() });
  const head = revision({ 'App-Service': service(9090), 'App-Monitoring': monitoring() });

  test('a hazard exits 1, like a stateful replacement, and the PR comment lists it with the safe way', () => {
    const report = compareRevisions(base, head);
    expect(report.exitCode).toBe(1);
    expect(report.hazards.map((h) => h.hazard.kind)).toEqual(['stale-consumer']);
    const markdown = renderMarkdown(report, { revision: REVISION });
    expect(markdown).toContain('### Deploy-plan hazards');
    expect(markdown).toMatch(/\| ❌ \| stale consumer \| prod \| App-Service \| `TargetGroup`/);
    expect(markdown).toContain('--exclusively --force');
    expect(renderText(report, { revision: REVISION })).toContain('BLOCKED: 1 deploy-plan hazard');
  });

  test('the allow-list accepts a hazard by the producer stack and logical ID', () => {
    const entry = { env: 'prod', stack: 'App-Service', logicalId: 'TargetGroup', reason: 'monitoring redeployed by hand with --force' };
    const report = compareRevisions(base, head, [entry]);
    expect(report.exitCode).toBe(0);
    expect(report.hazards[0].allowedBy).toBe(entry);
    expect(report.unusedAllowances).toEqual([]);
  });

  test('an in-place update of a target group says what it does to traffic, with its source', () => {
    const report = compareRevisions(base, revision({ 'App-Service': service(8080, '/ready'), 'App-Monitoring': monitoring() }));
    expect(report.exitCode).toBe(0);
    const markdown = renderMarkdown(report, { revision: REVISION });
    expect(markdown).toContain('### What the change does to running traffic');
    expect(markdown).toMatch(
      /\| prod \| App-Service \| `TargetGroup` \| HealthCheckPath \| no interruption \| .*\| \[AWS docs\]\(https:\/\/docs\.aws\.amazon\.com\//,
    );
  });
});

describe('deploy order', () => {
  test('every stack comes after the stacks it depends on', () => {
    const deps = new Map(Object.entries({ M: ['D', 'S'], S: ['D', 'N'], D: ['N'], N: [] }));
    expect(deployOrder(['M', 'S', 'D', 'N'], deps)).toEqual(['N', 'D', 'S', 'M']);
  });
});

describe('the traffic table', () => {
  const spec = loadAwsServiceSpecSync();

  test('every row names a property the CloudFormation specification has, and links to AWS documentation', () => {
    for (const [type, rows] of Object.entries(TRAFFIC_TABLE)) {
      const resource = spec.lookup('resource', 'cloudFormationType', 'equals', type).only();
      for (const [property, row] of Object.entries(rows)) {
        if (property !== '*') expect({ type, property, known: property in resource.properties }).toEqual({ type, property, known: true });
        expect(row.link).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      }
    }
  });

  test('no row models as an in-place update a property whose change replaces the resource', () => {
    for (const [type, rows] of Object.entries(TRAFFIC_TABLE)) {
      const resource = spec.lookup('resource', 'cloudFormationType', 'equals', type).only();
      for (const property of Object.keys(rows)) {
        expect({ type, property, replaces: resource.properties[property]?.causesReplacement === 'yes' }).toEqual({
          type,
          property,
          replaces: false,
        });
      }
    }
  });

  test('the worst effect wins, and an unknown property says so', () => {
    expect(trafficImpact('W', 'AWS::RDS::DBInstance', ['Tags', 'DBInstanceClass']).effect).toBe('brief');
    expect(trafficImpact('W', 'AWS::RDS::DBInstance', ['Tags', 'SomethingNew']).effect).toBe('unknown');
  });
});
