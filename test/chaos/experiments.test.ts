/**
 * Specifications of the fault-injection experiments, over the synthesized templates of every environment (and of
 * prod opted in): each stops on alarms that exist in the same environment, reaches only that environment's
 * resources, and has a role that the IAM policy evaluator allows here and denies in another environment.
 * Production has none unless it opts in, and then its task definitions change only by the in-task prerequisites.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { listEnvironments } from '../../config/load';
import { chaosEnabled } from '../../config/schema/chaos-rules';
import { EXPERIMENT_IDS, EXPERIMENT_TAG } from '../../lib/chaos/experiments';
import { FAILURE_MODES } from '../../lib/chaos/failure-modes';
import { SSM_AGENT_CONTAINER } from '../../lib/constructs/task-fault-injection';
import { PROJECT_ROOT } from '../../config/project-root';
import { type SynthesizedEnvironment, configOf, synth } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type PolicyDocument = { Version: string; Statement: Record<string, unknown>[] };

function resources(env: SynthesizedEnvironment, layer: 'chaos' | 'monitoring' | 'service'): Record<string, Resource> {
  return env.template(layer).toJSON().Resources as Record<string, Resource>;
}

/** Each experiment template of the environment, by its Experiment tag, with the policy document of its role. */
function experiments(env: SynthesizedEnvironment) {
  const all = resources(env, 'chaos');
  return Object.values(all)
    .filter((r) => r.Type === 'AWS::FIS::ExperimentTemplate')
    .map((template) => {
      const roleId = (template.Properties.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      const policy = Object.values(all).find(
        (r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      )!;
      return {
        id: (template.Properties.Tags as Record<string, string>)[EXPERIMENT_TAG],
        props: template.Properties,
        policy: policy.Properties.PolicyDocument as PolicyDocument,
      };
    });
}

const ENABLED = listEnvironments().filter((name) => chaosEnabled(configOf(name)));
const PROD_OPTED_IN = configOf('prod', { chaos: { enabled: true } });
const CASES: [string, () => SynthesizedEnvironment][] = [
  ...ENABLED.map((name): [string, () => SynthesizedEnvironment] => [name, () => synth(name)]),
  ['prod opted in', () => synth(PROD_OPTED_IN)],
];

describe.each(CASES)('experiments of %s', (_name, env) => {
  test('every stop condition names an alarm of the same environment’s Monitoring stack, by its ARN in the same account and region', () => {
    const e = env();
    const { region, account } = e.config.environment;
    const alarmNames = new Set(
      Object.values(resources(e, 'monitoring'))
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm')
        .map((r) => r.Properties.AlarmName as string),
    );
    const list = experiments(e);
    expect(list.length).toBeGreaterThan(0);
    for (const { id, props } of list) {
      const conditions = props.StopConditions as { Source: string; Value: string }[];
      expect({ id, count: conditions.length > 0 && conditions.length <= 5 }).toEqual({ id, count: true });
      for (const c of conditions) {
        expect(c.Source).toBe('aws:cloudwatch:alarm');
        const prefix = `arn:aws:cloudwatch:${region}:${account}:alarm:`;
        expect(c.Value.startsWith(prefix)).toBe(true);
        expect({ id, alarm: c.Value.slice(prefix.length), exists: alarmNames.has(c.Value.slice(prefix.length)) }).toMatchObject({
          exists: true,
        });
      }
    }
  });

  test('targets never reach outside the environment: ARNs of its account, region and name prefix, or its Application and Environment tags', () => {
    const e = env();
    const { app, environment } = e.config;
    const dbPrefix = `${app.name}-${environment.name}`.toLowerCase();
    for (const { id, props } of experiments(e)) {
      for (const [name, target] of Object.entries(props.Targets as Record<string, Record<string, unknown>>)) {
        const arns = (target.ResourceArns as string[] | undefined) ?? [];
        const tags = target.ResourceTags as Record<string, string> | undefined;
        const where = `${id}/${name}`;
        if (arns.length > 0) {
          for (const arn of arns) {
            expect({
              where,
              arn,
              inside: new RegExp(`^arn:aws:rds:${environment.region}:${environment.account}:(cluster|db):${dbPrefix}(-|$)`).test(arn),
            }).toMatchObject({ inside: true });
          }
          expect(tags).toBeUndefined();
        } else {
          expect({ where, tags }).toMatchObject({ tags: { Application: app.name, Environment: environment.name } });
        }
        // A wildcard selection of everything FIS can find would be the one way out of the environment.
        expect(String(target.SelectionMode)).toMatch(/^(ALL|PERCENT\(\d+\)|COUNT\(\d+\))$/);
      }
    }
  });

  test('every experiment logs to the encrypted log group of the Chaos stack', () => {
    const e = env();
    const all = resources(e, 'chaos');
    const [logGroupId] = Object.entries(all).find(([, r]) => r.Type === 'AWS::Logs::LogGroup')!;
    expect(all[logGroupId].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LogsKey/), 'Arn'] });
    for (const { props } of experiments(e)) {
      expect(props.LogConfiguration).toEqual({
        LogSchemaVersion: 2,
        CloudWatchLogsConfiguration: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
      });
    }
  });
});

describe('experiment roles, evaluated by an IAM policy evaluator (dev)', () => {
  const ACCOUNT = '111111111111';
  const arn = (service: string, resource: string, region = 'eu-west-1') => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
  const own = { Application: 'ScaledApp', Environment: 'dev' };
  const other = { Application: 'ScaledApp', Environment: 'prod' };

  async function decide(id: string, action: string, resource: string, tags: Record<string, string> = {}): Promise<string> {
    const experiment = experiments(synth('dev')).find((x) => x.id === id)!;
    const contextVariables: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) {
      contextVariables[`aws:ResourceTag/${k}`] = v;
      if (action.startsWith('ec2:')) contextVariables[`ec2:ResourceTag/${k}`] = v;
    }
    const result = await runSimulation(
      {
        identityPolicies: [{ name: id, policy: experiment.policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
          action,
          principal: `arn:aws:iam::${ACCOUNT}:role/${id}`,
          resource: { resource, accountId: ACCOUNT },
          contextVariables,
        },
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  test.each([
    ['writer-failover', 'rds:FailoverDBCluster', arn('rds', 'cluster:scaledapp-dev'), {}, 'Allowed'],
    ['writer-failover', 'rds:FailoverDBCluster', arn('rds', 'cluster:scaledapp-staging'), {}, 'ImplicitlyDenied'],
    ['writer-failover', 'rds:RebootDBInstance', arn('rds', 'db:scaledapp-dev-reader-1'), {}, 'ImplicitlyDenied'],
    ['reader-lost', 'rds:RebootDBInstance', arn('rds', 'db:scaledapp-dev-reader-1'), {}, 'Allowed'],
    ['reader-lost', 'rds:RebootDBInstance', arn('rds', 'db:scaledapp-dev-writer'), {}, 'ImplicitlyDenied'],
    ['tasks-stopped', 'ecs:StopTask', arn('ecs', 'task/cluster-x/0123456789abcdef'), own, 'Allowed'],
    ['tasks-stopped', 'ecs:StopTask', arn('ecs', 'task/cluster-x/0123456789abcdef'), other, 'ImplicitlyDenied'],
    ['tasks-stopped', 'ecs:StopTask', arn('ecs', 'task/cluster-x/0123456789abcdef'), {}, 'ImplicitlyDenied'],
    ['tasks-stopped', 'rds:FailoverDBCluster', arn('rds', 'cluster:scaledapp-dev'), {}, 'ImplicitlyDenied'],
    ['task-cpu-stress', 'ssm:SendCommand', arn('ssm', 'managed-instance/mi-0123456789abcdef0'), own, 'Allowed'],
    ['task-cpu-stress', 'ssm:SendCommand', arn('ssm', 'managed-instance/mi-0123456789abcdef0'), other, 'ImplicitlyDenied'],
    // The evaluator needs an account in the ARN; FIS's documents are AWS-owned (no account), which the `*` also matches.
    ['task-cpu-stress', 'ssm:SendCommand', arn('ssm', 'document/AWSFIS-Run-CPU-Stress'), {}, 'Allowed'],
    ['task-cpu-stress', 'ssm:SendCommand', arn('ssm', 'document/AWSFIS-Run-CPU-Stress', 'us-east-1'), {}, 'ImplicitlyDenied'],
    ['task-cpu-stress', 'ssm:SendCommand', arn('ssm', 'document/AWS-RunShellScript'), {}, 'ImplicitlyDenied'],
    ['task-cpu-stress', 'ecs:StopTask', arn('ecs', 'task/cluster-x/0123456789abcdef'), own, 'ImplicitlyDenied'],
    ['zone-lost', 'ec2:ReplaceNetworkAclAssociation', arn('ec2', 'subnet/subnet-0123456789abcdef0'), own, 'Allowed'],
    ['zone-lost', 'ec2:ReplaceNetworkAclAssociation', arn('ec2', 'subnet/subnet-0123456789abcdef0'), other, 'ImplicitlyDenied'],
    ['zone-lost', 'ec2:DeleteNetworkAcl', arn('ec2', 'network-acl/acl-0123456789abcdef0'), { managedByFIS: 'true' }, 'Allowed'],
    ['zone-lost', 'ec2:DeleteNetworkAcl', arn('ec2', 'network-acl/acl-0123456789abcdef0'), own, 'ImplicitlyDenied'],
    ['zone-lost', 'ec2:TerminateInstances', arn('ec2', 'instance/i-0123456789abcdef0'), own, 'ImplicitlyDenied'],
  ])('%s: %s on %s with tags %j is %s', async (id, action, resource, tags, expected) => {
    expect(await decide(id, action, resource, tags)).toBe(expected);
  });

  test('cache-primary-lost: staging may interrupt its own replication groups only (dev has no Multi-AZ replica, so no such experiment)', async () => {
    expect(experiments(synth('dev')).map((x) => x.id)).not.toContain('cache-primary-lost');
    const staging = experiments(synth('staging')).find((x) => x.id === 'cache-primary-lost')!;
    const evaluate = async (tags: Record<string, string>) => {
      const result = await runSimulation(
        {
          identityPolicies: [{ name: 'cache', policy: staging.policy }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          request: {
            action: 'elasticache:InterruptClusterAzPower',
            principal: 'arn:aws:iam::222222222222:role/cache',
            resource: { resource: 'arn:aws:elasticache:eu-west-1:222222222222:replicationgroup:abc123', accountId: '222222222222' },
            contextVariables: Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
          },
        },
        {},
      );
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    };
    expect(await evaluate({ Application: 'ScaledApp', Environment: 'staging' })).toBe('Allowed');
    expect(await evaluate({ Application: 'ScaledApp', Environment: 'prod' })).toBe('ImplicitlyDenied');
  });
});

describe('production', () => {
  test('has no experiments, and its task definitions no sidecar, unless it opts in', () => {
    const prod = synth('prod');
    expect(prod.stacks.chaos).toBeUndefined();
    const taskDefs = Object.values(resources(prod, 'service')).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
    expect(taskDefs.length).toBeGreaterThan(0);
    for (const td of taskDefs) {
      expect(td.Properties.PidMode).toBeUndefined();
      expect(td.Properties.EnableFaultInjection).toBeUndefined();
      expect((td.Properties.ContainerDefinitions as { Name: string }[]).map((c) => c.Name)).not.toContain(SSM_AGENT_CONTAINER);
    }
  });

  test('opted in, every experiment is there and the task definitions gain only the in-task prerequisites', () => {
    const optedIn = synth(PROD_OPTED_IN);
    const ids = experiments(optedIn).map((x) => x.id);
    expect(ids.sort()).toEqual([...EXPERIMENT_IDS].sort());
    const before = Object.values(resources(synth('prod'), 'service')).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
    const after = Object.values(resources(optedIn, 'service')).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
    expect(after.map((td) => [td.Properties.PidMode, td.Properties.EnableFaultInjection])).toEqual(before.map(() => ['task', true]));
    after.forEach((td, i) => {
      const containers = td.Properties.ContainerDefinitions as { Name: string; Essential: boolean; Memory: number }[];
      const { PidMode: _p, EnableFaultInjection: _e, ContainerDefinitions: _c, ...rest } = td.Properties;
      const { ContainerDefinitions: beforeContainers, ...beforeRest } = before[i].Properties;
      expect(rest).toEqual(beforeRest);
      // The app container is untouched but for its hard memory limit, which gives the sidecar its share so that
      // the limits add up to the task's memory (Control Tower's CT.ECS.PR.7 wants a hard limit on each container).
      const sidecar = containers.find((c) => c.Name === SSM_AGENT_CONTAINER)!;
      expect(sidecar).toMatchObject({ Essential: false });
      const app = containers.filter((c) => c.Name !== SSM_AGENT_CONTAINER);
      expect(app.map(({ Memory: _m, ...other }) => other)).toEqual(
        (beforeContainers as { Memory: number }[]).map(({ Memory: _m, ...other }) => other),
      );
      expect(app[0].Memory + sidecar.Memory).toBe((beforeContainers as { Memory: number }[])[0].Memory);
    });
  });
});

describe('failure modes', () => {
  const architecture = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'architecture.md'), 'utf8');
  const guide = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'chaos.md'), 'utf8');
  const section = architecture.slice(architecture.indexOf('## The failure modes it exists to prevent'));
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| What broke') && !line.startsWith('| ---'))
    .map((line) => line.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim()));

  test('every row of docs/architecture.md’s table is a failure mode of lib/chaos, and the other way round', () => {
    expect(rows.map((r) => r[0])).toEqual(FAILURE_MODES.map((m) => m.whatBroke));
  });

  test.each(FAILURE_MODES.map((m, i) => [m.whatBroke, i] as const))(
    '%s: has an experiment or a stated reason, and its row links to it',
    (_what, i) => {
      const mode = FAILURE_MODES[i];
      const links = [...rows[i][3].matchAll(/\(chaos\.md#([a-z0-9-]+)\)/g)].map((m) => m[1]);
      if (mode.experiments.length > 0) {
        expect(links).toEqual([...mode.experiments]);
      } else {
        expect(mode.rehearsal).toMatch(/^FIS has no action/);
        expect(links).toEqual([`rehearsal-${i + 1}`]);
      }
      for (const anchor of links) expect(guide).toContain(`<a id="${anchor}"></a>`);
    },
  );

  test('every experiment rehearses at least one failure mode', () => {
    const used = new Set(FAILURE_MODES.flatMap((m) => m.experiments));
    expect(EXPERIMENT_IDS.filter((id) => !used.has(id))).toEqual([]);
  });
});
