/**
 * The compliance gate: AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 and the AWS Control Tower
 * proactive controls run in every synth, and a finding that is not acknowledged fails it. (That every environment synthesizes clean is checked in
 * environments.test.ts, which synthesizes each environment once for all its whole-environment checks.) The
 * variants teams make are checked here against every pack and control: the suite's other syntheses of variants
 * run neither (`SUITE_COMPLIANCE` in test/support/synth.ts).
 */
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import * as fs from 'fs';
import { type App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as path from 'path';
import { type AppConfig, listEnvironments, loadEnvironment } from '../config/load';
import { buildEnvironment, type EnvironmentStacks } from '../lib/app';
import { acknowledge, applyCompliance, type ComplianceOptions } from '../lib/compliance';
import { controlTowerControls } from '../lib/guard-validator';
import { type Acknowledgement, acknowledgements, COMPLIANCE_FILE, renderComplianceReport } from '../scripts/compliance-docs';
import { MATRIX_ENVIRONMENTS } from './iam/environments';
import { RATELIMIT_TIER, WORKER_SERVICE } from './support/fixtures';
import { configOf, FULL_COMPLIANCE, newApp, SUITE_COMPLIANCE, type SynthesizedEnvironment, synth } from './support/synth';

test('fails the synth when a new resource breaks a rule, naming the rule and the resource', () => {
  const app = newApp();
  // The cdk-nag packs' refusal; the Control Tower controls' is the next describe's.
  const { data } = buildEnvironment(app, loadEnvironment('dev'), NAG_PACKS_ONLY);
  // A bucket with no access logs, no TLS-only policy and no replication: several packs object.
  new s3.Bucket(data as Stack, 'CarelessBucket');
  expect(() => app.synth()).toThrow(/ERROR The S3 Bucket has server access logs disabled[\s\S]*CarelessBucket[\s\S]*AwsSolutions-S1/);
});

/** The cdk-nag packs without the Control Tower controls: cfn-guard would check dev's five templates too. */
const NAG_PACKS_ONLY: ComplianceOptions = { controlTower: false };

/** A stack with a bucket that every cdk-nag pack refuses (no access logs, no TLS-only policy, no replication). */
function appWithCarelessBucket(compliance: ComplianceOptions): App {
  const app = newApp();
  applyCompliance(app, compliance);
  new s3.Bucket(new Stack(app, 'Buckets'), 'CarelessBucket');
  return app;
}

/**
 * An app with the gate `compliance` (what `buildEnvironment` applies to an environment's app) and, in one stack, two
 * keys that satisfy every cdk-nag pack (rotation on) but let anyone the account allows create grants (CT.KMS.PR.3),
 * the second one acknowledged. No environment around them: cfn-guard would check its templates too, about 2 s of CPU
 * each that it has not seen, and test/environments.test.ts proves that every environment's synth runs the controls.
 */
function appWithCarelessKeys(compliance: ComplianceOptions) {
  const app = newApp();
  applyCompliance(app, compliance);
  const stack = new Stack(app, 'Keys');
  new kms.Key(stack, 'CarelessKey', { enableKeyRotation: true });
  const acknowledged = new kms.Key(stack, 'AcknowledgedKey', { enableKeyRotation: true });
  acknowledge(acknowledged, 'A key for this test only: it proves that an acknowledgement covers its own resource.', 'CT.KMS.PR.3');
  return { app, acknowledged };
}

describe('Control Tower proactive controls', () => {
  test('fail the synth when a new resource breaks one, naming the control and the resource; an acknowledgement on that resource alone lets it pass', () => {
    // GIVEN two keys that break CT.KMS.PR.3, WHEN one of them is acknowledged
    const { app, acknowledged } = appWithCarelessKeys(FULL_COMPLIANCE);
    // THEN the synth fails on the other one, and only on it
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/CT\.KMS\.PR\.3/);
    expect(message).toMatch(/Keys\/CarelessKey\/Resource/);
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
    const prod = synth('prod');
    const { app } = prod;
    // The templates through synth(): where another file synthesized prod, they are read, not synthesized again.
    const layerOf = new Map((Object.entries(prod.stacks) as [keyof EnvironmentStacks, Stack][]).map(([layer, s]) => [s.stackName, layer]));
    let checked = 0;
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
        for (const rule of Object.keys(entry.data as Record<string, string>).filter((r) => r.startsWith('cfn-guard::'))) {
          const resource = construct as CfnResource;
          const stack = Stack.of(resource);
          const template = prod.template(layerOf.get(stack.stackName)!).toJSON() as {
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
 * The configurations teams derive from the environment files, chosen for the resources they add or change, with
 * features that the schema allows together combined into one variant: each synthesis with the whole gate costs
 * cfn-guard about 2 s per template it has not seen, and every template of a variant is new to it.
 *
 * The engine changes only the database's resources (lib/stacks/data-stack.ts) and what refers to them (their alarms,
 * the stack outputs, the fault-injection experiments of lib/chaos/experiments.ts); services, cache tiers and rollouts
 * are the same resources on either engine.
 * So the features below ride on the `postgres` engine, and `aurora-postgresql`, which every environment file uses,
 * is checked with the whole gate on dev, staging and prod by test/environments.test.ts.
 */
const VARIANTS: [string, () => AppConfig][] = [
  // The `postgres` engine outside production (with the fault-injection experiments on instances, which prod does not
  // opt in to), and a second service that only reads: the reader user alone, one cache tier of the three. The
  // permission matrix's variant (test/iam/environments.ts), whose templates the run shares (see the last test here).
  ...['staging + worker (postgres)'].map((label) => {
    const found = MATRIX_ENVIRONMENTS.find(([l]) => l === label);
    if (!found) throw new Error(`test/iam/environments.ts has no environment "${label}" any more`);
    return found;
  }),
  [
    // The `postgres` engine in production (two replicas, the production settings); a second service that writes
    // (its own users and schema migration function, every cache tier, the production rollout: canary); a third
    // cache tier, Multi-AZ with a replica; the api's blue/green rollout (other deployment settings of the ECS
    // service than the canary's; linear differs from the canary only in its step sizes); and an account whose
    // Lambda quota leaves no room for reserved concurrency (every function acknowledges the packs' rule instead).
    'prod (postgres) + worker service + ratelimit tier, api blue/green, no reserved Lambda concurrency',
    () =>
      configOf('prod', {
        environment: { reserveLambdaConcurrency: false },
        database: { engine: 'postgres' },
        services: {
          api: { deployment: { strategy: 'blue-green' } },
          worker: { ...WORKER_SERVICE, tasks: { desired: 2, min: 2, max: 4 }, logRetentionDays: 365 },
        },
        cache: { tiers: { ratelimit: { ...RATELIMIT_TIER, replicas: 1, multiAz: true } } },
      }),
  ],
];

interface GatedSynthesis {
  /** Each stack's template as written to the assembly, by layer (`EnvironmentStacks`' keys). */
  readonly templates: Map<string, string>;
  readonly plugins: string[];
  readonly violations: unknown[];
}

/** A variant synthesized once with the whole gate, for the tests below that read it. */
const gated = new Map<string, GatedSynthesis>();
function synthWithWholeGate(label: string, config: () => AppConfig): GatedSynthesis {
  if (!gated.has(label)) {
    const app = newApp();
    const stacks = buildEnvironment(app, config(), FULL_COMPLIANCE);
    // A finding that is not acknowledged throws here, as in `cdk synth`.
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const reports = report.pluginReports as { pluginName: string; conclusion: string; violations?: unknown[] }[];
    gated.set(label, {
      templates: new Map(
        (Object.entries(stacks) as [string, Stack][]).map(([layer, stack]) => [
          layer,
          fs.readFileSync(assembly.getStackByName(stack.stackName).templateFullPath, 'utf8'),
        ]),
      ),
      plugins: reports.map((r) => r.pluginName),
      violations: reports.flatMap((r) => r.violations ?? []),
    });
  }
  return gated.get(label)!;
}

/** The plugins that ran in a synthesis of `app`, from its validation report (which CDK writes only when one ran). */
function pluginsThatRan(app: App): string[] {
  const report = path.join(app.synth().directory, 'validation-report.json');
  if (!fs.existsSync(report)) return [];
  return (JSON.parse(fs.readFileSync(report, 'utf8')) as { pluginReports: { pluginName: string }[] }).pluginReports.map(
    (r) => r.pluginName,
  );
}

describe('the variants teams make pass every rule pack and Control Tower control', () => {
  test.each(VARIANTS)('%s', (label, config) => {
    const { plugins, violations } = synthWithWholeGate(label, config);
    expect(plugins).toContain('cfn-guard');
    expect(violations).toEqual([]);
  });

  test('turning the cdk-nag packs and the Control Tower controls off, as the suite does for other variants, changes no template', () => {
    // The suite's gate (SUITE_COMPLIANCE, `synth()`'s) leaves both out: the key that the controls refuse (the Control
    // Tower test above) and the bucket that the packs refuse pass it, and no plugin runs.
    expect(() => appWithCarelessKeys(FULL_COMPLIANCE).app.synth()).toThrow(/CT\.KMS\.PR\.3/);
    expect(() => appWithCarelessBucket(NAG_PACKS_ONLY).synth()).toThrow(/AwsSolutions-S1/);
    expect(pluginsThatRan(appWithCarelessKeys(SUITE_COMPLIANCE).app)).toEqual([]);
    expect(pluginsThatRan(appWithCarelessBucket(SUITE_COMPLIANCE))).toEqual([]);
    // The first variant's templates with the whole gate (the synthesis the test above made) are byte for byte the
    // suite's, with the packs and the controls off: the acknowledgements in their metadata (`cdk_nag`,
    // `guard.SuppressedRules`) included, which the whole gate's packs and the suite's aspect write alike.
    const [label, config] = VARIANTS[0];
    const on = synthWithWholeGate(label, config);
    const off = synth(config());
    expect(on.plugins).toContain('cfn-guard');
    expect(on.templates.size).toBeGreaterThan(0);
    for (const [layer, template] of on.templates) {
      expect(JSON.stringify(off.template(layer as keyof EnvironmentStacks).toJSON())).toBe(JSON.stringify(JSON.parse(template)));
    }
  });
});

describe('acknowledgements', () => {
  // Read once per environment (a build of its construct tree each) for the tests below and the document.
  const read = new Map<string, Acknowledgement[]>();
  const acknowledgementsOf = (env: string) => {
    if (!read.has(env)) read.set(env, acknowledgements(env));
    return read.get(env)!;
  };

  test.each(listEnvironments())('%s: none sits on a stack or the app (each is on the narrowest construct)', (env) => {
    expect(acknowledgementsOf(env).filter((a) => a.onStackOrApp)).toEqual([]);
  });

  test.each(listEnvironments())('%s: every acknowledgement carries a reason a reviewer can check', (env) => {
    for (const a of acknowledgementsOf(env)) expect(a.reason.length).toBeGreaterThan(40);
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
    expect(fs.readFileSync(COMPLIANCE_FILE, 'utf8')).toBe(renderComplianceReport(acknowledgementsOf));
  });
});

describe('an account whose Lambda quota leaves no room for reserved concurrency (environment.reserveLambdaConcurrency: false)', () => {
  type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };
  // staging has every function of the project's: the identity bootstrap, api's schema migration and pre-traffic hook.
  // The whole gate passes the setting on the prod variant teams make (VARIANTS above); synth() runs no pack.
  const reserved = synth('staging');
  const unreserved = synth(configOf('staging', { environment: { reserveLambdaConcurrency: false } }));
  // Every stack the environment has (the type makes a stack added later a compile error here until it is listed).
  const STACKS = { network: 1, data: 1, service: 1, monitoring: 1, chaos: 1, backupCopy: 1 } satisfies Record<keyof EnvironmentStacks, 1>;
  const layersOf = (env: SynthesizedEnvironment) =>
    (Object.keys(STACKS) as (keyof EnvironmentStacks)[]).filter((layer) => env.hasStack(layer));
  const LAYERS = layersOf(reserved);
  const functions = (template: Record<string, unknown>) =>
    Object.entries((template.Resources ?? {}) as Record<string, Resource>).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  /** The logical IDs of the functions that reserve concurrency in the default synthesis, sorted. */
  const reservedIds = LAYERS.flatMap((layer) => functions(reserved.template(layer).toJSON()))
    .filter(([, r]) => r.Properties?.ReservedConcurrentExecutions !== undefined)
    .map(([id]) => id)
    .sort();

  test('the whole gate passes it: the prod variant teams make that sets it has no unacknowledged finding, and none of its functions reserves any', () => {
    const [label, config] = VARIANTS.find(([, c]) => c().environment.reserveLambdaConcurrency === false)!;
    const { violations, templates } = synthWithWholeGate(label, config);
    expect(violations).toEqual([]);
    const all = [...templates.values()].flatMap((t) => functions(JSON.parse(t) as Record<string, unknown>));
    // The identity bootstrap, and each service's schema migration and pre-traffic hook.
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.filter(([, r]) => r.Properties?.ReservedConcurrentExecutions !== undefined)).toEqual([]);
  });

  test("the project's functions reserve none, and each acknowledges the packs' LambdaConcurrency rule in its metadata", () => {
    expect(reservedIds).toHaveLength(3);
    const after = new Map(LAYERS.flatMap((layer) => functions(unreserved.template(layer).toJSON())));
    for (const id of reservedIds) {
      expect(after.get(id)?.Properties?.ReservedConcurrentExecutions).toBeUndefined();
      const suppressed = (after.get(id)?.Metadata?.cdk_nag as { rules_to_suppress: { id: string }[] }).rules_to_suppress.map((r) => r.id);
      expect(suppressed).toEqual(expect.arrayContaining(['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency']));
    }
  });

  test('switching a deployed environment either way updates the three functions in place: cdk diff (the resource specification) replaces nothing', () => {
    const changed = (from: SynthesizedEnvironment, to: SynthesizedEnvironment) =>
      LAYERS.flatMap((layer) => {
        const diff = fullDiff(from.template(layer).toJSON(), to.template(layer).toJSON());
        return diff.resources.logicalIds
          .filter((id) => diff.resources.get(id).changeImpact !== ResourceImpact.NO_CHANGE)
          .map((id) => ({ id, impact: diff.resources.get(id).changeImpact }));
      }).sort((a, b) => a.id.localeCompare(b.id));
    const inPlace = reservedIds.map((id) => ({ id, impact: ResourceImpact.WILL_UPDATE }));
    expect(changed(reserved, unreserved)).toEqual(inPlace);
    expect(changed(unreserved, reserved)).toEqual(inPlace);
  });

  test('both have the same stacks, and nothing else changes: without the reservations and the acknowledgements, the templates are the default ones', () => {
    expect(layersOf(unreserved)).toEqual(LAYERS);
    const strip = (template: Record<string, unknown>) => {
      const copy = structuredClone(template) as { Resources: Record<string, Resource> };
      for (const [, r] of functions(copy)) {
        delete r.Properties?.ReservedConcurrentExecutions;
        const nag = r.Metadata?.cdk_nag as { rules_to_suppress: { id: string }[] } | undefined;
        if (nag) nag.rules_to_suppress = nag.rules_to_suppress.filter((rule) => !rule.id.endsWith('-LambdaConcurrency'));
      }
      return copy;
    };
    for (const layer of LAYERS) {
      expect(strip(unreserved.template(layer).toJSON())).toEqual(strip(reserved.template(layer).toJSON()));
    }
  });
});
