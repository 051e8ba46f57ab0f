/**
 * Specifications of the permission matrix (test/iam/matrix.ts), evaluated by an IAM policy evaluator over the
 * synthesized templates of every environment, on both engines. staging carries a second service, `worker`
 * (read-only in the database, the `hot` tier only), so that "never as another service" and "never an unused
 * tier's secret" are proved between two real services.
 */
import * as fs from 'fs';
import type { Stack } from 'aws-cdk-lib';
import type { AppConfig } from '../../config/schema';
import type { EnvironmentStacks } from '../../lib/app';
import { PERMISSIONS_FILE, renderPermissions, type MatrixRun } from '../../scripts/permissions-docs';
import { configOf, synth } from '../support/synth';
import { buildMatrix, evaluateMatrix, failures, type MatrixInput } from './matrix';
import type { CfnTemplate } from './resolve';
import { MATRIX_ENVIRONMENTS } from './environments';

function input(config: AppConfig): MatrixInput {
  const env = synth(config);
  const templates: Record<string, CfnTemplate> = {};
  // synth()'s templates, which the run shares across files (the compliance test's first variant and the postgres pin
  // of environments.test.ts are environments of this list): the JSON Template.fromStack gives.
  for (const [layer, stack] of Object.entries(env.stacks) as [keyof EnvironmentStacks, Stack][])
    templates[stack.stackName] = structuredClone(env.template(layer).toJSON()) as CfnTemplate;
  return { config, stacks: env.stacks, templates };
}

const runs: MatrixRun[] = [];
/** A synthesis of a whole environment and a few hundred evaluations, on a shared two-core machine. */
const SYNTH_AND_EVALUATE_MS = 300_000;

describe.each(MATRIX_ENVIRONMENTS)('permission matrix of %s', (label, config) => {
  test(
    'every expected allow and deny holds as the IAM evaluator reads the synthesized policies',
    async () => {
      const outcomes = await evaluateMatrix(buildMatrix(input(config())));
      runs.push({ label, outcomes });
      expect(failures(outcomes)).toEqual([]);
      expect(outcomes.filter((o) => o.check.expected === 'allow').length).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o.check.expected === 'deny').length).toBeGreaterThan(0);
    },
    SYNTH_AND_EVALUATE_MS,
  );
});

describe('the matrix can fail', () => {
  const dev = () => input(configOf('dev'));

  test('fails when a task role may connect as any database user', async () => {
    const broken = dev();
    const service = broken.templates['ScaledApp-dev-Service'];
    // The mistake a hand-written grant makes: `dbuser:*` where one user was meant.
    for (const resource of Object.values(service.Resources ?? {})) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const doc = resource.Properties!.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] };
      for (const statement of doc.Statement) if (statement.Action === 'rds-db:connect') statement.Resource = '*';
    }
    const problems = failures(await evaluateMatrix(buildMatrix(broken)));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^api task role: rds-db:connect on master user postgres_admin at the proxy: expected deny, evaluated allow/),
      ]),
    );
  });

  test(
    'fails when the topic policy leaves CloudWatch out',
    async () => {
      const broken = dev();
      const monitoring = broken.templates['ScaledApp-dev-Monitoring'];
      for (const resource of Object.values(monitoring.Resources ?? {})) {
        if (resource.Type !== 'AWS::SNS::TopicPolicy') continue;
        const doc = resource.Properties!.PolicyDocument as { Statement: { Principal?: unknown }[] };
        doc.Statement = doc.Statement.filter((s) => !JSON.stringify(s.Principal ?? '').includes('cloudwatch'));
      }
      const problems = failures(await evaluateMatrix(buildMatrix(broken)));
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.startsWith('cloudwatch.amazonaws.com: sns:Publish on the alarm topic, as alarm '))).toBe(true);
    },
    SYNTH_AND_EVALUATE_MS,
  );
});

describe('docs', () => {
  test('docs/permissions.md renders this matrix (run `npm run docs:permissions` when this fails)', () => {
    // Judged only when every environment ran: a run filtered to one environment says nothing about the page.
    if (runs.length !== MATRIX_ENVIRONMENTS.length) return;
    expect(fs.readFileSync(PERMISSIONS_FILE, 'utf8')).toBe(renderPermissions(runs));
  });
});
