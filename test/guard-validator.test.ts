/**
 * The Control Tower plugin on small hand-written templates, through the real cfn-guard binary: which controls a
 * template is checked against, how findings are named, and an organization's own rules directory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { applyCompliance } from '../lib/compliance';
import { ControlTowerGuard, controlTowerControls } from '../lib/guard-validator';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function validate(guard: ControlTowerGuard, resources: Record<string, unknown>) {
  const templatePath = path.join(dir, `${Object.keys(resources).join('-')}.template.json`);
  fs.writeFileSync(templatePath, JSON.stringify({ Resources: resources }));
  return guard.validate({ templatePaths: [templatePath], stackTemplates: [], appConstruct: new App() });
}

const KEY_WITHOUT_GRANT_LIMIT = {
  Type: 'AWS::KMS::Key',
  Properties: {
    EnableKeyRotation: true,
    KeyPolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' }],
    },
  },
};

test('names a finding by its Control Tower control ID and its resource', () => {
  const report = validate(new ControlTowerGuard(), { CarelessKey: KEY_WITHOUT_GRANT_LIMIT });
  expect(report.success).toBe(false);
  const violation = report.violations.find((v) => v.ruleName === 'CT.KMS.PR.3');
  expect(violation?.violatingResources.map((r) => r.resourceLogicalId)).toEqual(['CarelessKey']);
  expect(violation?.severity).toBe('error');
});

test('a disabled control does not run', () => {
  const report = validate(new ControlTowerGuard({ disabledControls: ['CT.KMS.PR.3'] }), { CarelessKey: KEY_WITHOUT_GRANT_LIMIT });
  expect(report.violations.map((v) => v.ruleName)).not.toContain('CT.KMS.PR.3');
});

test('every control skips a template without a resource of the types it declares, so checking only those loses nothing', () => {
  // Read from each rule file: every rule over a template is guarded by `%var not empty`, where `var` selects
  // resources of one type, and that type is among the control's EvaluatedResourceTypes (what the plugin selects by).
  expect(controlTowerControls().size).toBeGreaterThan(200);
  for (const control of controlTowerControls().values()) {
    const text = fs.readFileSync(control.file, 'utf8');
    const constants = new Map([...text.matchAll(/^let\s+(\w+)\s*=\s*["']([^"']+)["']/gm)].map((m) => [m[1], m[2]]));
    const heads = [...text.matchAll(/^rule\s+\w+\s+when\s+is_cfn_template\([^)]*\)([^{]*)\{/gm)].map((m) => m[1]);
    expect([control.id, heads.length]).not.toEqual([control.id, 0]);
    for (const head of heads) {
      const guarded = [...head.matchAll(/%(\w+)\s+(?:not\s+empty|!empty)/g)].map((m) => m[1]);
      expect([control.id, guarded.length]).not.toEqual([control.id, 0]);
      for (const variable of guarded) {
        const filter = new RegExp(`^let\\s+${variable}\\s*=\\s*Resources(?:\\.\\*)?\\[\\s*Type\\s*==\\s*(%\\w+|"[^"]+"|'[^']+')`, 'm').exec(
          text,
        );
        const raw = filter?.[1] ?? '';
        const type = raw.startsWith('%') ? constants.get(raw.slice(1)) : raw.slice(1, -1);
        expect([control.id, control.evaluatedResourceTypes.includes(type ?? '')]).toEqual([control.id, true]);
      }
    }
  }
});

test("runs an organization's own rules directory against every template, named by the rule's name", () => {
  const rules = fs.mkdtempSync(path.join(dir, 'org-rules-'));
  fs.writeFileSync(
    path.join(rules, 'topics-named.guard'),
    [
      "let topics = Resources.*[ Type == 'AWS::SNS::Topic' ]",
      'rule ORG_TOPICS_NAMED when %topics not empty {',
      '  %topics.Properties.TopicName exists',
      '  <<',
      '  [ORG.SNS.1]: Require a topic name',
      '  >>',
      '}',
    ].join('\n'),
  );
  const guard = new ControlTowerGuard({ rules: [rules] });
  const report = validate(guard, { Unnamed: { Type: 'AWS::SNS::Topic', Properties: {} } });
  expect(report.violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.resourceLogicalId)])).toContainEqual([
    'ORG_TOPICS_NAMED',
    ['Unnamed'],
  ]);
  expect(
    validate(guard, { Named: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alarms' } } }).violations.map((v) => v.ruleName),
  ).not.toContain('ORG_TOPICS_NAMED');
});

test('fails when a rules path does not exist or a disabled control is unknown', () => {
  expect(() => new ControlTowerGuard({ rules: [path.join(dir, 'missing')] })).toThrow(/Guard rules path\(s\) not found: .*missing/);
  expect(() => new ControlTowerGuard({ disabledControls: ['CT.S3.PR.99'] })).toThrow(
    /Unknown Control Tower control ID\(s\) in disabledControls: CT\.S3\.PR\.99/,
  );
});

describe('the result cache', () => {
  const ORG_RULE = (property: string) =>
    [
      "let topics = Resources.*[ Type == 'AWS::SNS::Topic' ]",
      'rule ORG_TOPICS_NAMED when %topics not empty {',
      `  %topics.Properties.${property} exists`,
      '}',
    ].join('\n');
  const TOPIC = { Unnamed: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'alarms' } } };

  /** Validates `resources` written at its own path, counting how often cfn-guard really runs. */
  function run(guard: ControlTowerGuard, resources: Record<string, unknown>, name: string) {
    const templatePath = path.join(dir, `${name}.template.json`);
    fs.writeFileSync(templatePath, JSON.stringify({ Resources: resources }));
    const spy = jest.spyOn(CfnGuardValidator.prototype, 'validate');
    try {
      const report = guard.validate({ templatePaths: [templatePath], stackTemplates: [], appConstruct: new App() });
      return { report, guardRuns: spy.mock.calls.length, templatePath };
    } finally {
      spy.mockRestore();
    }
  }

  test('a hit is the report cfn-guard gives, naming the template it was asked about', () => {
    const cacheDir = fs.mkdtempSync(path.join(dir, 'cache-'));
    const uncached = run(new ControlTowerGuard(), { CarelessKey: KEY_WITHOUT_GRANT_LIMIT }, 'uncached');
    const first = run(new ControlTowerGuard({ resultCacheDir: cacheDir }), { CarelessKey: KEY_WITHOUT_GRANT_LIMIT }, 'first');
    const second = run(new ControlTowerGuard({ resultCacheDir: cacheDir }), { CarelessKey: KEY_WITHOUT_GRANT_LIMIT }, 'second');
    expect([uncached.guardRuns, first.guardRuns, second.guardRuns]).toEqual([1, 1, 0]);
    expect(uncached.report.violations.length).toBeGreaterThan(0);
    const at = (report: typeof uncached.report, from: string, to: string) =>
      JSON.parse(JSON.stringify(report).split(JSON.stringify(from).slice(1, -1)).join(JSON.stringify(to).slice(1, -1))) as unknown;
    // The same findings as without the cache, each naming the template of this synthesis.
    expect(second.report).toEqual(at(uncached.report, uncached.templatePath, second.templatePath));
    expect(JSON.stringify(second.report)).toContain(second.templatePath);
    expect(JSON.stringify(second.report)).not.toContain(first.templatePath);
  });

  test('a changed template or a changed rule is a miss, and its findings are its own', () => {
    const cacheDir = fs.mkdtempSync(path.join(dir, 'cache-'));
    const rules = fs.mkdtempSync(path.join(dir, 'org-rules-'));
    const ruleFile = path.join(rules, 'topics.guard');
    fs.writeFileSync(ruleFile, ORG_RULE('DisplayName'));
    const guard = new ControlTowerGuard({ rules: [rules], resultCacheDir: cacheDir });
    const findings = (r: ReturnType<typeof run>) => [r.guardRuns, r.report.violations.map((v) => v.ruleName)];
    expect(findings(run(guard, TOPIC, 'a'))).toEqual([1, []]);
    expect(findings(run(guard, TOPIC, 'b'))).toEqual([0, []]);
    // The rule now requires a property the topic lacks: the cached "compliant" must not be returned.
    fs.writeFileSync(ruleFile, ORG_RULE('TopicName'));
    expect(findings(run(guard, TOPIC, 'c'))).toEqual([1, ['ORG_TOPICS_NAMED']]);
    // The template now has it.
    const named = { Unnamed: { ...TOPIC.Unnamed, Properties: { TopicName: 'alarms' } } };
    expect(findings(run(guard, named, 'd'))).toEqual([1, []]);
  });

  test('the compliance gate hands its guardResultCacheDir to the plugin (bin/app.ts sets it from GUARD_RESULT_CACHE_DIR)', () => {
    const cacheDir = fs.mkdtempSync(path.join(dir, 'cache-'));
    const app = new App();
    applyCompliance(app, { guardResultCacheDir: cacheDir });
    new CfnResource(new Stack(app, 'Keys'), 'CarelessKey', {
      type: KEY_WITHOUT_GRANT_LIMIT.Type,
      properties: KEY_WITHOUT_GRANT_LIMIT.Properties,
    });
    expect(() => app.synth()).toThrow(/CT\.KMS\.PR\.\d+[\s\S]*CarelessKey/);
    // The finding was cfn-guard's, kept in the gate's cache directory.
    expect(fs.readdirSync(cacheDir)).toHaveLength(1);
  });
});
