/**
 * The permission matrix: who may do what to which resource, and who may not, in one place. Each check is
 * evaluated by an IAM policy evaluator (`@cloud-copilot/iam-simulate`, AGPL-3.0, a devDependency used by tests
 * and the docs generator only) over the policies of the synthesized templates, with their intrinsics resolved
 * to real ARN strings (./resolve.ts): identity policies of the roles, the topic's resource policy, and the key
 * policies. docs/permissions.md renders it (`npm run docs:permissions`).
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import { AuroraDatabase, InstanceDatabase } from '../../lib/constructs/database';
import type * as budgets from 'aws-cdk-lib/aws-budgets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { serviceDatabaseUsers, MASTER_USERNAME } from '../../lib/database/identity-sql';
import type { EnvironmentStacks } from '../../lib/app';
import type { AppConfig } from '../../config/schema';
import { type CfnTemplate, type Json, Resolver } from './resolve';

export type Expected = 'allow' | 'deny';

/** One row of the matrix, before evaluation. */
export interface Check {
  /** Who asks, as a reader says it: `api task role`, `cloudwatch.amazonaws.com`. */
  readonly who: string;
  readonly action: string;
  /** What it asks for, as a reader says it: `writer user api at the proxy`. */
  readonly on: string;
  readonly expected: Expected;
  readonly why: string;
  /** Rows with the same group render as one line in the docs (one per alarm, say). */
  readonly group?: string;
  readonly principal: string;
  readonly resource: string;
  readonly context: Record<string, string>;
  readonly identityPolicies: { name: string; policy: Json }[];
  readonly resourcePolicy?: Json;
}

export interface Outcome {
  readonly check: Check;
  readonly actual: Expected;
}

/** An environment's synthesized templates, by stack, with the construct handles that name its principals. */
export interface MatrixInput {
  readonly config: AppConfig;
  readonly stacks: EnvironmentStacks;
  /** Templates by stack name (`Template.toJSON()`); tests may pass deliberately broken copies. */
  readonly templates: Record<string, CfnTemplate>;
}

const TLS = { 'aws:SecureTransport': 'true' };
const OTHER_ACCOUNT = '999999999999';

function logicalId(element: CfnElement | undefined): { stack: string; id: string } {
  if (!element) throw new Error('matrix: construct has no CloudFormation resource');
  const stack = Stack.of(element);
  return { stack: stack.stackName, id: stack.getLogicalId(element) };
}

const cfn = (construct: { node: { defaultChild?: unknown } }) => construct.node.defaultChild as CfnElement;

/** Every identity policy attached to a role, resolved: inline ones and AWS::IAM::Policy resources naming it. */
export function identityPoliciesOf(r: Resolver, templates: Record<string, CfnTemplate>, role: iam.IRole): { name: string; policy: Json }[] {
  const { stack, id } = logicalId(cfn(role));
  const out: { name: string; policy: Json }[] = [];
  const roleResource = r.resource(stack, id);
  if (roleResource.Properties?.ManagedPolicyArns) {
    throw new Error(`matrix: role ${id} has managed policies, which the matrix cannot read: inline them or extend the matrix`);
  }
  for (const [i, p] of ((roleResource.Properties?.Policies as { PolicyDocument: Json }[] | undefined) ?? []).entries()) {
    out.push({ name: `${id}-inline-${i}`, policy: r.resolve(stack, p.PolicyDocument) });
  }
  for (const [policyId, resource] of Object.entries(templates[stack].Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties?.Roles as Json[] | undefined) ?? [];
    if (roles.some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: id }))) {
      out.push({ name: policyId, policy: r.resolve(stack, resource.Properties!.PolicyDocument) });
    }
  }
  return out;
}

export function buildMatrix(input: MatrixInput): Check[] {
  const { config, stacks, templates } = input;
  const r = new Resolver({ account: config.environment.account, region: config.environment.region, templates });
  const resources = (stack: string) => Object.entries(templates[stack].Resources ?? {});

  const identityPolicies = (role: iam.IRole) => identityPoliciesOf(r, templates, role);
  const roleArn = (role: iam.IRole) => {
    const { stack, id } = logicalId(cfn(role));
    return r.string(stack, { 'Fn::GetAtt': [id, 'Arn'] });
  };
  const attr = (element: CfnElement, attribute: string) => {
    const { stack, id } = logicalId(element);
    return r.string(stack, { 'Fn::GetAtt': [id, attribute] });
  };
  const ref = (element: CfnElement) => {
    const { stack, id } = logicalId(element);
    return r.string(stack, { Ref: id });
  };
  const keyPolicy = (element: CfnElement) => {
    const { stack, id } = logicalId(element);
    return r.resolve(stack, r.resource(stack, id).Properties!.KeyPolicy);
  };

  const { data, service, monitoring } = stacks;
  const db = data.database;
  const proxyId = attr(cfn(db.proxy), 'DBProxyArn').split(':').pop()!;
  const dbUser = (resourceId: string, user: string) => r.arn('rds-db', `dbuser:${resourceId}/${user}`);
  const databaseResourceId =
    db instanceof AuroraDatabase
      ? attr(cfn(db.cluster), 'DBClusterResourceId')
      : attr(cfn((db as InstanceDatabase).primary), 'DbiResourceId');
  const replicaIds = db instanceof InstanceDatabase ? db.replicas.map((replica) => attr(cfn(replica), 'DbiResourceId')) : [];
  const masterSecret = ref(cfn(db.secret));
  const databaseKey = cfn(data.databaseKey);
  const cacheKey = cfn(data.cacheKey);
  const checks: Check[] = [];
  const add = (check: Check) => checks.push(check);

  const loginUsers = Object.entries(config.services).flatMap(([name, s]) => {
    if (s.database.access === 'none') return [];
    const users = serviceDatabaseUsers(name);
    return s.database.access === 'read-write' ? [users.writer, users.reader] : [users.reader];
  });

  for (const svc of service.services) {
    const svcConfig = config.services[svc.name];
    const taskRole = svc.taskDefinition.taskRole;
    const who = `${svc.name} task role`;
    const principal = roleArn(taskRole);
    const policies = identityPolicies(taskRole);
    const connect = (on: string, resource: string, expected: Expected, why: string) =>
      add({ who, action: 'rds-db:connect', on, expected, why, principal, resource, context: {}, identityPolicies: policies });
    const users = serviceDatabaseUsers(svc.name);
    const access = svcConfig.database.access;
    if (access === 'read-write')
      connect(
        `its writer user ${users.writer} at the proxy`,
        dbUser(proxyId, users.writer),
        'allow',
        'a service logs in as its own writer user',
      );
    if (access !== 'none') {
      if (replicaIds.length === 0) {
        connect(
          `its reader user ${users.reader} at the proxy (reader endpoint)`,
          dbUser(proxyId, users.reader),
          'allow',
          'the reader endpoint logs in as the read-only user',
        );
      }
      replicaIds.forEach((id, i) =>
        connect(
          `its reader user ${users.reader} at replica ${i + 1}`,
          dbUser(id, users.reader),
          'allow',
          'postgres replicas are reached directly',
        ),
      );
    }
    if (access === 'read-only')
      connect(`writer user ${users.writer} at the proxy`, dbUser(proxyId, users.writer), 'deny', 'a read-only service has no writer user');
    if (access === 'none')
      connect(`reader user ${users.reader} at the proxy`, dbUser(proxyId, users.reader), 'deny', 'database access none: no login at all');
    connect(`master user ${MASTER_USERNAME} at the proxy`, dbUser(proxyId, MASTER_USERNAME), 'deny', 'no service is the master user');
    connect(
      `master user ${MASTER_USERNAME} at the writer`,
      dbUser(databaseResourceId, MASTER_USERNAME),
      'deny',
      'no service is the master user',
    );
    replicaIds.forEach((id, i) =>
      connect(`master user ${MASTER_USERNAME} at replica ${i + 1}`, dbUser(id, MASTER_USERNAME), 'deny', 'no service is the master user'),
    );
    connect('a user of no service (intruder) at the proxy', dbUser(proxyId, 'intruder'), 'deny', 'grants name users, never a wildcard');
    for (const other of service.services.filter((o) => o !== svc)) {
      const otherUsers = serviceDatabaseUsers(other.name);
      for (const user of [otherUsers.writer, otherUsers.reader]) {
        connect(`${other.name}'s user ${user} at the proxy`, dbUser(proxyId, user), 'deny', 'a service never logs in as another');
        replicaIds.forEach((id, i) =>
          connect(`${other.name}'s user ${user} at replica ${i + 1}`, dbUser(id, user), 'deny', 'a service never logs in as another'),
        );
      }
    }

    // Secrets: the task role reads none; the execution role reads the AUTH secrets of the tiers it uses.
    add({
      who,
      action: 'secretsmanager:GetSecretValue',
      on: 'the master secret',
      expected: 'deny',
      why: 'no service holds the master secret',
      principal,
      resource: masterSecret,
      context: TLS,
      identityPolicies: policies,
    });
    const execRole = svc.taskDefinition.executionRole!;
    const execWho = `${svc.name} execution role`;
    const execPrincipal = roleArn(execRole);
    const execPolicies = identityPolicies(execRole);
    const used = new Set(svcConfig.cacheTiers ?? Object.keys(config.cache.tiers));
    add({
      who: execWho,
      action: 'secretsmanager:GetSecretValue',
      on: 'the master secret',
      expected: 'deny',
      why: 'no service holds the master secret',
      principal: execPrincipal,
      resource: masterSecret,
      context: TLS,
      identityPolicies: execPolicies,
    });
    add({
      who: execWho,
      action: 'kms:Decrypt',
      on: 'the database key, through Secrets Manager',
      expected: 'deny',
      why: 'nothing of the service is encrypted with it',
      principal: execPrincipal,
      resource: attr(databaseKey, 'Arn'),
      context: { ...TLS, 'kms:ViaService': `secretsmanager.${r.region}.amazonaws.com` },
      identityPolicies: execPolicies,
      resourcePolicy: keyPolicy(databaseKey),
    });
    for (const tier of data.cacheTiers.tiers) {
      const expected: Expected = used.has(tier.name) ? 'allow' : 'deny';
      add({
        who: execWho,
        action: 'secretsmanager:GetSecretValue',
        on: `the AUTH secret of cache tier ${tier.name}`,
        expected,
        why:
          expected === 'allow'
            ? 'ECS injects the AUTH token of a tier the service uses'
            : 'a service does not read the AUTH secret of a tier it does not use',
        principal: execPrincipal,
        resource: ref(cfn(tier.authSecret)),
        context: TLS,
        identityPolicies: execPolicies,
      });
    }
    if ([...used].some((tier) => tier in config.cache.tiers)) {
      add({
        who: execWho,
        action: 'kms:Decrypt',
        on: 'the cache key, through Secrets Manager',
        expected: 'allow',
        why: 'the AUTH secrets are encrypted with it',
        principal: execPrincipal,
        resource: attr(cacheKey, 'Arn'),
        context: { ...TLS, 'kms:ViaService': `secretsmanager.${r.region}.amazonaws.com` },
        identityPolicies: execPolicies,
        resourcePolicy: keyPolicy(cacheKey),
      });
    }
  }

  // The schema migration of a read-write service runs that service's task definition in its cluster, passing the
  // task's two roles to ECS tasks; nothing of another family, cluster or role.
  const clusterArn = attr(cfn(service.cluster), 'Arn');
  const clusterName = ref(cfn(service.cluster));
  for (const svc of service.services) {
    const migration = service.schemaMigrations[svc.name];
    if (!migration) continue;
    const who = `${svc.name} schema migration function role`;
    const principal = roleArn(migration.role);
    const policies = identityPolicies(migration.role);
    const family = (revision: number, name = svc.taskDefinition.family) => r.arn('ecs', `task-definition/${name}:${revision}`);
    const check = (action: string, on: string, resource: string, expected: Expected, why: string, context: Record<string, string> = {}) =>
      add({ who, action, on, expected, why, principal, resource, context, identityPolicies: policies });
    check(
      'ecs:RunTask',
      `any revision of ${svc.name}'s task definition, in the cluster`,
      family(42),
      'allow',
      'it runs the revision being deployed',
      {
        'ecs:cluster': clusterArn,
      },
    );
    check(
      'ecs:RunTask',
      `${svc.name}'s task definition in another cluster`,
      family(42),
      'deny',
      'the ecs:cluster condition names the service’s cluster',
      {
        'ecs:cluster': r.arn('ecs', 'cluster/another'),
      },
    );
    const otherFamily = service.services.find((o) => o !== svc)?.taskDefinition.family ?? 'another-family';
    check(
      'ecs:RunTask',
      `another task definition family (${otherFamily})`,
      family(1, otherFamily),
      'deny',
      'only its own service’s family',
      {
        'ecs:cluster': clusterArn,
      },
    );
    const passTo = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    for (const [label, role] of [
      ['task role', svc.taskDefinition.taskRole],
      ['execution role', svc.taskDefinition.executionRole!],
    ] as const) {
      check(
        'iam:PassRole',
        `${svc.name}'s ${label}, to ECS tasks`,
        roleArn(role),
        'allow',
        'the task runs with the service’s own roles',
        passTo,
      );
      check('iam:PassRole', `${svc.name}'s ${label}, to Lambda`, roleArn(role), 'deny', 'passed to ECS tasks only', {
        'iam:PassedToService': 'lambda.amazonaws.com',
      });
    }
    check('iam:PassRole', 'another role (its own function role), to ECS tasks', principal, 'deny', 'only the task’s two roles', passTo);
    check(
      'iam:PassRole',
      'the identity bootstrap role, to ECS tasks',
      roleArn(db.identities.function.role!),
      'deny',
      'only the task’s two roles',
      passTo,
    );
    for (const other of service.services.filter((o) => o !== svc)) {
      check(
        'iam:PassRole',
        `${other.name}'s task role, to ECS tasks`,
        roleArn(other.taskDefinition.taskRole),
        'deny',
        'never another service’s roles',
        passTo,
      );
    }
    check(
      'ecs:DescribeTasks',
      'a task of the cluster',
      r.arn('ecs', `task/${clusterName}/0123456789abcdef`),
      'allow',
      'it waits for the task it started',
    );
  }

  // The proxy (end-to-end IAM) logs in to the database as each application user, never as the master user.
  const proxyRole = db.proxy.node.findChild('IAMRole') as iam.IRole;
  const proxyPrincipal = roleArn(proxyRole);
  const proxyPolicies = identityPolicies(proxyRole);
  for (const user of loginUsers) {
    add({
      who: 'proxy role',
      action: 'rds-db:connect',
      on: `application user ${user} at the database`,
      expected: 'allow',
      why: 'end-to-end IAM: the proxy logs in as the client’s user',
      principal: proxyPrincipal,
      resource: dbUser(databaseResourceId, user),
      context: {},
      identityPolicies: proxyPolicies,
    });
  }
  add({
    who: 'proxy role',
    action: 'rds-db:connect',
    on: `master user ${MASTER_USERNAME} at the database`,
    expected: 'deny',
    why: 'the proxy never logs in as the master user',
    principal: proxyPrincipal,
    resource: dbUser(databaseResourceId, MASTER_USERNAME),
    context: {},
    identityPolicies: proxyPolicies,
  });
  add({
    who: 'proxy role',
    action: 'secretsmanager:GetSecretValue',
    on: 'the master secret',
    expected: 'deny',
    why: 'end-to-end IAM needs no secret',
    principal: proxyPrincipal,
    resource: masterSecret,
    context: TLS,
    identityPolicies: proxyPolicies,
  });

  // The identity bootstrap reads the master secret (and its key, through Secrets Manager), nothing else.
  const bootstrapRole = db.identities.function.role!;
  const bootstrap = {
    who: 'identity bootstrap role',
    principal: roleArn(bootstrapRole),
    identityPolicies: identityPolicies(bootstrapRole),
  };
  add({
    ...bootstrap,
    action: 'secretsmanager:GetSecretValue',
    on: 'the master secret',
    expected: 'allow',
    why: 'it creates the users as the master user',
    resource: masterSecret,
    context: TLS,
  });
  add({
    ...bootstrap,
    action: 'kms:Decrypt',
    on: 'the database key, through Secrets Manager',
    expected: 'allow',
    why: 'the master secret is encrypted with it',
    resource: attr(databaseKey, 'Arn'),
    context: { ...TLS, 'kms:ViaService': `secretsmanager.${r.region}.amazonaws.com` },
    resourcePolicy: keyPolicy(databaseKey),
  });
  for (const tier of data.cacheTiers.tiers) {
    add({
      ...bootstrap,
      action: 'secretsmanager:GetSecretValue',
      on: `the AUTH secret of cache tier ${tier.name}`,
      expected: 'deny',
      why: 'least privilege',
      resource: ref(cfn(tier.authSecret)),
      context: TLS,
    });
  }
  add({
    ...bootstrap,
    action: 'rds-db:connect',
    on: `master user ${MASTER_USERNAME} at the proxy`,
    expected: 'deny',
    why: 'it logs in with the password, never an IAM token',
    resource: dbUser(proxyId, MASTER_USERNAME),
    context: {},
  });

  // Alarm delivery: every alarm that notifies the topic may publish to it and use its key; nothing else may.
  const topic = cfn(monitoring.alarmTopic.topic);
  const topicArn = ref(topic);
  const topicStack = logicalId(topic).stack;
  const topicPolicy = resources(topicStack).find(
    ([, res]) =>
      res.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(res.Properties?.Topics).includes(JSON.stringify({ Ref: logicalId(topic).id })),
  );
  const topicResourcePolicy = topicPolicy ? r.resolve(topicStack, topicPolicy[1].Properties!.PolicyDocument) : undefined;
  const topicKey = cfn(monitoring.alarmTopic.key);
  const topicKeyArn = attr(topicKey, 'Arn');
  const topicKeyPolicy = keyPolicy(topicKey);
  const publish = (who: string, principal: string, sourceArn: string, account: string, secure: boolean) => ({
    principal,
    who,
    context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': account, 'aws:SecureTransport': String(secure) },
    identityPolicies: [],
  });
  for (const stackName of Object.keys(templates)) {
    for (const [id, res] of resources(stackName)) {
      if (res.Type !== 'AWS::CloudWatch::Alarm' && res.Type !== 'AWS::CloudWatch::CompositeAlarm') continue;
      const actions = r.resolve(stackName, res.Properties?.AlarmActions ?? []) as string[];
      if (!actions.includes(topicArn)) continue;
      const alarmArn = r.string(stackName, { 'Fn::GetAtt': [id, 'Arn'] });
      const name = alarmArn.split(':alarm:')[1];
      const as = publish('cloudwatch.amazonaws.com', 'cloudwatch.amazonaws.com', alarmArn, r.account, true);
      const group = 'alarm';
      add({
        ...as,
        group,
        action: 'sns:Publish',
        on: `the alarm topic, as alarm ${name}`,
        expected: 'allow',
        why: 'every alarm reaches the topic',
        resource: topicArn,
        resourcePolicy: topicResourcePolicy,
      });
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        add({
          ...as,
          group,
          action,
          on: `the topic key, as alarm ${name}`,
          expected: 'allow',
          why: 'SNS encrypts the message with the topic key for the publisher',
          resource: topicKeyArn,
          resourcePolicy: topicKeyPolicy,
        });
      }
    }
  }
  const prefix = `${config.app.name}-${config.environment.name}`;
  const ownAlarm = r.arn('cloudwatch', `alarm:${prefix}-example`);
  const rule = cfn(monitoring.deploymentFailures.rule);
  const ruleArn = attr(rule, 'Arn');
  const denies: [string, string, string, string, boolean, string][] = [
    [
      'cloudwatch.amazonaws.com',
      'an alarm of another app in this account',
      r.arn('cloudwatch', 'alarm:OtherApp-x'),
      r.account,
      true,
      'aws:SourceArn names this app’s alarms only',
    ],
    [
      'cloudwatch.amazonaws.com',
      'an alarm of this name in another account',
      `arn:aws:cloudwatch:${r.region}:${OTHER_ACCOUNT}:alarm:${prefix}-example`,
      OTHER_ACCOUNT,
      true,
      'aws:SourceAccount: the confused deputy',
    ],
    ['cloudwatch.amazonaws.com', 'this app’s alarm without TLS', ownAlarm, r.account, false, 'the topic refuses publishing without TLS'],
    [
      'events.amazonaws.com',
      'a rule of another account',
      `arn:aws:events:${r.region}:${OTHER_ACCOUNT}:rule/${prefix}-x`,
      OTHER_ACCOUNT,
      true,
      'aws:SourceAccount: the confused deputy',
    ],
  ];
  add({
    ...publish('events.amazonaws.com', 'events.amazonaws.com', ruleArn, r.account, true),
    action: 'sns:Publish',
    on: 'the alarm topic, as the deployment-failure rule',
    expected: 'allow',
    why: 'failed deployments reach the topic',
    resource: topicArn,
    resourcePolicy: topicResourcePolicy,
  });
  // EventBridge's requests to KMS for an encrypted topic carry no aws:SourceArn or aws:SourceAccount (SNS developer
  // guide, "Key management"): evaluated with the context KMS receives, the key must still allow them.
  for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
    add({
      who: 'events.amazonaws.com',
      principal: 'events.amazonaws.com',
      context: { 'aws:SecureTransport': 'true' },
      identityPolicies: [],
      action,
      on: 'the topic key, for the deployment-failure rule (no source in the KMS request)',
      expected: 'allow',
      why: 'SNS encrypts the event with the topic key for EventBridge, whose KMS requests carry no source keys',
      resource: topicKeyArn,
      resourcePolicy: topicKeyPolicy,
    });
  }
  // AWS Budgets, where a budget exists: it may publish as a budget of this account (the pattern the Budgets guide
  // documents), never as another account's; its use of the key is evaluated without a source, as EventBridge's.
  if (monitoring.budget) {
    const budgetName = (monitoring.budget.budget.budget as budgets.CfnBudget.BudgetDataProperty).budgetName!;
    const budgetArn = `arn:aws:budgets::${r.account}:budget/${budgetName}`;
    const asBudget = publish('budgets.amazonaws.com', 'budgets.amazonaws.com', budgetArn, r.account, true);
    add({
      ...asBudget,
      action: 'sns:Publish',
      on: `the alarm topic, as budget ${budgetName}`,
      expected: 'allow',
      why: 'the budget notifies the topic of actual and forecast overruns',
      resource: topicArn,
      resourcePolicy: topicResourcePolicy,
    });
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      add({
        ...asBudget,
        context: { 'aws:SecureTransport': 'true' },
        action,
        on: `the topic key, for budget ${budgetName} (no source in the KMS request)`,
        expected: 'allow',
        why: 'SNS encrypts the message with the topic key for the publisher',
        resource: topicKeyArn,
        resourcePolicy: topicKeyPolicy,
      });
    }
    denies.push([
      'budgets.amazonaws.com',
      'a budget of this name in another account',
      `arn:aws:budgets::${OTHER_ACCOUNT}:budget/${budgetName}`,
      OTHER_ACCOUNT,
      true,
      'aws:SourceAccount: the confused deputy',
    ]);
  } else {
    denies.push([
      'budgets.amazonaws.com',
      'a budget of this account (the environment sets no cost.monthlyBudget)',
      `arn:aws:budgets::${r.account}:budget/${prefix}-monthly`,
      r.account,
      true,
      'no budget, no grant: Budgets is a publisher only where a budget exists',
    ]);
  }
  for (const [principal, as, sourceArn, account, secure, why] of denies) {
    add({
      ...publish(principal, principal, sourceArn, account, secure),
      action: 'sns:Publish',
      on: `the alarm topic, as ${as}`,
      expected: 'deny',
      why,
      resource: topicArn,
      resourcePolicy: topicResourcePolicy,
    });
  }
  add({
    who: 'a role of this account',
    principal: `arn:aws:iam::${r.account}:role/anyone`,
    action: 'sns:Publish',
    on: 'the alarm topic without TLS',
    expected: 'deny',
    why: 'the topic refuses publishing without TLS',
    resource: topicArn,
    context: { 'aws:SecureTransport': 'false' },
    identityPolicies: [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    resourcePolicy: topicResourcePolicy,
  });
  return checks;
}

export async function evaluate(check: Check): Promise<Outcome> {
  const result = await runSimulation(
    {
      request: {
        principal: check.principal,
        action: check.action,
        // `*`: an action without resource-level permissions, asked in the principal's own account.
        resource: { resource: check.resource, accountId: (check.resource === '*' ? check.principal : check.resource).split(':')[4] },
        contextVariables: check.context,
      },
      identityPolicies: check.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: check.resourcePolicy,
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`matrix: the evaluator refused "${check.who} ${check.action} ${check.on}": ${JSON.stringify(result.errors)}`);
  }
  return { check, actual: result.overallResult === 'Allowed' ? 'allow' : 'deny' };
}

export async function evaluateMatrix(checks: readonly Check[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const check of checks) out.push(await evaluate(check));
  return out;
}

/** The outcomes that differ from what the matrix expects, one line each. */
export function failures(outcomes: readonly Outcome[]): string[] {
  return outcomes
    .filter((o) => o.actual !== o.check.expected)
    .map(
      (o) =>
        `${o.check.who}: ${o.check.action} on ${o.check.on}: expected ${o.check.expected}, evaluated ${o.actual} (${o.check.resource})`,
    );
}
