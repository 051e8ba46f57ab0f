/**
 * The Control Tower plugin on small hand-written templates, through the real cfn-guard binary: which controls a
 * template is checked against, how findings are named, and an organization's own rules directory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
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
