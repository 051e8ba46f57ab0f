/**
 * The compliance gate: AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 and the AWS Control Tower
 * proactive controls run in every synth, and a finding that is not acknowledged fails it. (That every environment synthesizes clean is checked in
 * environments.test.ts, which synthesizes each environment once for all its whole-environment checks.) The
 * variants teams make are checked here against every pack and control: the suite's other syntheses of variants
 * run the cdk-nag packs only (`complianceFor` in test/support/synth.ts).
 */
import * as fs from 'fs';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as path from 'path';
import { type AppConfig, listEnvironments, loadEnvironment } from '../config/load';
import { buildEnvironment } from '../lib/app';
import { acknowledge } from '../lib/compliance';
import { controlTowerControls } from '../lib/guard-validator';
import { acknowledgements, COMPLIANCE_FILE, renderComplianceReport } from '../scripts/compliance-docs';
import { MATRIX_ENVIRONMENTS } from './iam/environments';
import { RATELIMIT_TIER, WORKER_SERVICE } from './support/fixtures';
import { configOf, FULL_COMPLIANCE, newApp, SUITE_COMPLIANCE, synth } from './support/synth';

test('fails the synth when a new resource breaks a rule, naming the rule and the resource', () => {
  const app = newApp();
  // The cdk-nag packs' refusal; the Control Tower controls' is the next describe's.
  const { data } = buildEnvironment(app, loadEnvironment('dev'), SUITE_COMPLIANCE);
  // A bucket with no access logs, no TLS-only policy and no replication: several packs object.
  new s3.Bucket(data as Stack, 'CarelessBucket');
  expect(() => app.synth()).toThrow(/ERROR The S3 Bucket has server access logs disabled[\s\S]*CarelessBucket[\s\S]*AwsSolutions-S1/);
});

describe('Control Tower proactive controls', () => {
  test('fail the synth when a new resource breaks one, naming the control and the resource; an acknowledgement on that resource alone lets it pass', () => {
    // GIVEN two keys that satisfy every cdk-nag pack (rotation on) but let anyone the account allows create grants
    const app = newApp();
    const { data } = buildEnvironment(app, loadEnvironment('dev'), FULL_COMPLIANCE);
    new kms.Key(data, 'CarelessKey', { enableKeyRotation: true });
    const acknowledged = new kms.Key(data, 'AcknowledgedKey', { enableKeyRotation: true });
    // WHEN one of them is acknowledged
    acknowledge(acknowledged, 'A key for this test only: it proves that an acknowledgement covers its own resource.', 'CT.KMS.PR.3');
    // THEN the synth fails on the other one, and only on it
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/CT\.KMS\.PR\.3/);
    expect(message).toMatch(/ScaledApp-dev-Data\/CarelessKey\/Resource/);
    expect(message).toMatch(/Acknowledge with 'cfn-guard::CT\.KMS\.PR\.3'/);
    expect(message).not.toMatch(/AcknowledgedKey/);
    // AND the acknowledged key carries the suppression where Guard rules read it
    expect((acknowledged.node.defaultChild as CfnResource).getMetadata('guard')).toEqual({
      SuppressedRules: ['kms_create_grant_aws_service_check'],
    });
  });

  test('fails when a Guard acknowledgement is not on a CloudFormation resource', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => acknowledge(stack, 'a reason long enough to read as one, though it names no resource', 'CT.S3.PR.9')).toThrow(
      /Guard rule CT\.S3\.PR\.9 is acknowledged on S, which is not a CloudFormation resource/,
    );
    expect(() => acknowledge(new Construct(stack, 'Group'), 'a reason', 'CT.S3.PR.9')).toThrow(/not a CloudFormation resource/);
  });

  test('fails when the acknowledged control does not exist', () => {
    const key = new kms.Key(new Stack(newApp(), 'S'), 'Key');
    expect(() => acknowledge(key, 'a reason', 'CT.KMS.PR.99')).toThrow(/Unknown Control Tower control CT\.KMS\.PR\.99/);
  });

  test('prod: every Guard acknowledgement is in the template metadata of its resource (guard.SuppressedRules)', () => {
    const { app } = synth('prod');
    const assembly = app.synth();
    let checked = 0;
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
        for (const rule of Object.keys(entry.data as Record<string, string>).filter((r) => r.startsWith('cfn-guard::'))) {
          const resource = construct as CfnResource;
          const stack = Stack.of(resource);
          const template = assembly.getStackByName(stack.stackName).template as {
            Resources: Record<string, { Metadata?: { guard?: { SuppressedRules?: string[] } } }>;
          };
          const control = controlTowerControls().get(rule.slice('cfn-guard::'.length))!;
          expect(template.Resources[stack.resolve(resource.logicalId) as string].Metadata?.guard?.SuppressedRules).toContain(
            control.guardRuleName,
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

/**
 * The configurations teams derive from the environment files, chosen for the resources they add or change: another
 * service, another tier, the other engine, another rollout (blue/green: other deployment settings of the ECS
 * service; linear differs from the canary only in its step sizes).
 */
const VARIANTS: [string, () => AppConfig][] = [
  // The other engine, in production and, with a second service, outside it.
  ...['staging + worker (postgres)', 'prod (postgres)'].map((label) => {
    const found = MATRIX_ENVIRONMENTS.find(([l]) => l === label);
    if (!found) throw new Error(`test/iam/environments.ts has no environment "${label}" any more`);
    return found;
  }),
  [
    'prod + worker service + ratelimit tier',
    () =>
      configOf('prod', {
        services: { worker: { ...WORKER_SERVICE, tasks: { desired: 2, min: 2, max: 4 }, logRetentionDays: 365 } },
        cache: { tiers: { ratelimit: { ...RATELIMIT_TIER, replicas: 1, multiAz: true } } },
      }),
  ],
  ['prod, blue-green rollout', () => configOf('prod', { services: { api: { deployment: { strategy: 'blue-green' } } } })],
];

describe('the variants teams make pass every rule pack and Control Tower control', () => {
  test.each(VARIANTS)('%s', (_label, config) => {
    const app = newApp();
    buildEnvironment(app, config(), FULL_COMPLIANCE);
    // A finding that is not acknowledged throws here, as in `cdk synth`.
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const reports = report.pluginReports as { pluginName: string; conclusion: string; violations?: unknown[] }[];
    expect(reports.map((r) => r.pluginName)).toContain('cfn-guard');
    expect(reports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });

  test('turning the Control Tower controls off, as the suite does for other variants, changes no template', () => {
    const build = (controlTower: boolean) => {
      const app = newApp();
      buildEnvironment(app, loadEnvironment('dev'), { ...FULL_COMPLIANCE, controlTower });
      const assembly = app.synth();
      const templates = assembly.stacks.map((s) => [s.stackName, fs.readFileSync(s.templateFullPath, 'utf8')]);
      const plugins = (
        JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as {
          pluginReports: { pluginName: string }[];
        }
      ).pluginReports.map((r) => r.pluginName);
      return { templates, plugins };
    };
    const on = build(true);
    const off = build(false);
    expect(on.plugins).toContain('cfn-guard');
    expect(off.plugins).not.toContain('cfn-guard');
    expect(off.templates.length).toBeGreaterThan(0);
    expect(off.templates).toEqual(on.templates);
  });
});

describe('acknowledgements', () => {
  test.each(listEnvironments())('%s: none sits on a stack or the app (each is on the narrowest construct)', (env) => {
    expect(acknowledgements(env).filter((a) => a.onStackOrApp)).toEqual([]);
  });

  test.each(listEnvironments())('%s: every acknowledgement carries a reason a reviewer can check', (env) => {
    for (const a of acknowledgements(env)) expect(a.reason.length).toBeGreaterThan(40);
  });

  test('are written into the template metadata for reviewers and external scanners', () => {
    const routes = synth('prod')
      .template('network')
      .findResources('AWS::EC2::Route', {
        Properties: { GatewayId: Match.anyValue() },
      });
    expect(Object.keys(routes)).toHaveLength(3);
    for (const route of Object.values(routes)) {
      expect(route.Metadata.cdk_nag.rules_to_suppress).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', reason: expect.any(String) })]),
      );
    }
  });

  test('docs/compliance.md lists the current acknowledgements (run `npm run docs:compliance` when this fails)', () => {
    expect(fs.readFileSync(COMPLIANCE_FILE, 'utf8')).toBe(renderComplianceReport());
  });
});
