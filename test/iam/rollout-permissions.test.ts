/**
 * What the rollout machinery may do, evaluated the way IAM evaluates it (@cloud-copilot/iam-simulate) over the
 * policies synthesized into prod's Service stack: the pre-traffic hook's function may write its own logs and
 * nothing of the deployment; ECS may invoke that one function; ECS may move the weights of this service's rules and
 * register tasks in its two target groups, and nothing else on the load balancer.
 *
 * CloudFormation references are resolved to ARNs of the right shape (the logical ID stands in for the physical
 * name), so a policy scoped to one resource is judged against that resource and against a neighbour.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { synth } from '../support/synth';

type Json = unknown;
type Resources = Record<string, { Type: string; Properties?: Record<string, Json> }>;

const ACCOUNT = '333333333333';
const REGION = 'eu-west-1';
const template = synth('prod').template('service').toJSON() as { Resources: Resources };
const resources = template.Resources;

/** An ARN of the right shape for a resource of the template, named after its logical ID. */
function arnOf(logicalId: string): string {
  const type = resources[logicalId]?.Type;
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
    case 'AWS::ElasticLoadBalancingV2::TargetGroup':
      return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${logicalId.slice(0, 32)}/0123456789abcdef`;
    case 'AWS::ElasticLoadBalancingV2::ListenerRule':
      return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/alb/0123456789abcdef/0123456789abcdef/${logicalId}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logicalId}:*`;
    default:
      throw new Error(`no ARN shape for ${logicalId} (${type})`);
  }
}

/** Resolves Ref, Fn::GetAtt (Arn), Fn::Join and the pseudo parameters in a policy document. */
function resolve(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') {
    const o = value as Record<string, Json>;
    if ('Ref' in o) {
      const ref = o.Ref as string;
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': REGION,
        'AWS::AccountId': ACCOUNT,
        'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudo[ref] ?? arnOf(ref);
    }
    if ('Fn::GetAtt' in o) return arnOf((o['Fn::GetAtt'] as string[])[0]);
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, Json[]];
      return parts.map((p) => String(resolve(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}

const idOf = (type: string, pathPart: string) => {
  const found = Object.entries(resources).filter(([id, r]) => r.Type === type && id.includes(pathPart));
  if (found.length !== 1) throw new Error(`expected one ${type} with ${pathPart}, found ${found.map(([id]) => id).join(', ')}`);
  return found[0][0];
};

/** The identity policies attached to a role of the template. */
function policiesOf(roleId: string) {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties!.Roles).includes(`"${roleId}"`))
    .map(([id, r]) => ({ name: id, policy: resolve(r.Properties!.PolicyDocument) as never }));
}

async function decide(roleId: string, action: string, resource: string): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/${roleId}`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {},
      },
      identityPolicies: policiesOf(roleId),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType !== 'single') throw new Error(JSON.stringify(result));
  return result.overallResult;
}

const hookFunction = idOf('AWS::Lambda::Function', 'PreTrafficHookFunction');
const hookLogs = idOf('AWS::Logs::LogGroup', 'PreTrafficHookLogs');
const functionRole = idOf('AWS::IAM::Role', 'PreTrafficHookFunctionRole');
const invokeRole = idOf('AWS::IAM::Role', 'PreTrafficHookInvokeRole');
const lbRole = idOf('AWS::IAM::Role', 'LoadBalancerRole');
const productionRule = idOf('AWS::ElasticLoadBalancingV2::ListenerRule', 'ApiServiceListenerRule');
const testRule = idOf('AWS::ElasticLoadBalancingV2::ListenerRule', 'ApiServiceTestListenerRule');
const alternateTg = idOf('AWS::ElasticLoadBalancingV2::TargetGroup', 'AlternateTargetGroup');
const OTHER_RULE = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/alb/0123456789abcdef/0123456789abcdef/SomeoneElsesRule`;
const OTHER_TG = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/someone-else/0123456789abcdef`;
const OTHER_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:SomethingElse`;

describe('the pre-traffic hook', () => {
  test('ECS may invoke the hook function, and no other function', async () => {
    expect(await decide(invokeRole, 'lambda:InvokeFunction', arnOf(hookFunction))).toBe('Allowed');
    expect(await decide(invokeRole, 'lambda:InvokeFunction', OTHER_FUNCTION)).toBe('ImplicitlyDenied');
  });

  test('the function may write its own log group', async () => {
    expect(await decide(functionRole, 'logs:PutLogEvents', `${arnOf(hookLogs).slice(0, -2)}:log-stream:x`)).toBe('Allowed');
  });

  test.each([
    ['lambda:InvokeFunction', OTHER_FUNCTION],
    ['elasticloadbalancing:ModifyRule', OTHER_RULE],
    ['ecs:UpdateService', `arn:aws:ecs:${REGION}:${ACCOUNT}:service/cluster/api`],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf`],
  ])('the function may not %s', async (action, resource) => {
    expect(await decide(functionRole, action, resource)).toBe('ImplicitlyDenied');
  });
});

describe('the load-balancer role ECS assumes to shift traffic', () => {
  test('may move the weights of the service’s production and test rules, and of no other rule', async () => {
    expect(await decide(lbRole, 'elasticloadbalancing:ModifyRule', arnOf(productionRule))).toBe('Allowed');
    expect(await decide(lbRole, 'elasticloadbalancing:ModifyRule', arnOf(testRule))).toBe('Allowed');
    expect(await decide(lbRole, 'elasticloadbalancing:ModifyRule', OTHER_RULE)).toBe('ImplicitlyDenied');
  });

  test('may register tasks in the service’s alternate target group, and in no other', async () => {
    expect(await decide(lbRole, 'elasticloadbalancing:RegisterTargets', arnOf(alternateTg))).toBe('Allowed');
    expect(await decide(lbRole, 'elasticloadbalancing:RegisterTargets', OTHER_TG)).toBe('ImplicitlyDenied');
  });

  test('may not change listeners or delete anything', async () => {
    const listener = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/alb/0123456789abcdef/0123456789abcdef`;
    expect(await decide(lbRole, 'elasticloadbalancing:ModifyListener', listener)).toBe('ImplicitlyDenied');
    expect(await decide(lbRole, 'elasticloadbalancing:DeleteRule', arnOf(productionRule))).toBe('ImplicitlyDenied');
  });
});
