/**
 * The suite's cache of aws-cdk-lib's own template validator (lib/cloudformation-validate-cache.ts) answers what the
 * validator answers: the same report for the same templates, first computed and then from the cache, and a miss
 * for a changed template.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, type IPolicyValidationContext } from 'aws-cdk-lib';
import { CachedCloudFormationValidate } from '../lib/cloudformation-validate-cache';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-validate-cache-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Two templates with the same schema error (so the validator merges it across them) and one of their own each. */
function context(name: string, extra: Record<string, unknown> = {}): IPolicyValidationContext {
  const topic = (props: Record<string, unknown>) => ({ Type: 'AWS::SNS::Topic', Properties: props });
  const templates = {
    First: {
      Resources: { Topic: topic({ NotAProperty: true }), Queue: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: 'soon' } } },
    },
    Second: { Resources: { Topic: topic({ NotAProperty: true, ...extra }) } },
  };
  const stackTemplates = Object.entries(templates).map(([stack, template]) => {
    const templatePath = path.join(dir, `${name}-${stack}.template.json`);
    fs.writeFileSync(templatePath, JSON.stringify(template));
    return { stackConstructPath: stack, templatePath, accountId: '111111111111', region: 'eu-west-1' };
  });
  return { templatePaths: stackTemplates.map((s) => s.templatePath), stackTemplates, appConstruct: new App() };
}

test('a miss and then a hit both give the report the validator gives, merged violations included', () => {
  const expected = new CloudFormationValidatePlugin().validate(context('plain'));
  // The fixture is only a proof if the validator finds something, and merges a finding across the two templates.
  expect(expected.success).toBe(false);
  expect(expected.violations.some((v) => new Set(v.violatingResources.map((r) => r.templatePath)).size === 2)).toBe(true);

  const cacheDir = path.join(dir, 'cache');
  const cached = CachedCloudFormationValidate.forDirectory(cacheDir);
  // Other file names than the uncached run's: the cache must give each finding this synthesis's template path.
  const rename = (report: typeof expected, from: string, to: string) =>
    JSON.parse(JSON.stringify(report).split(`${from}-`).join(`${to}-`)) as typeof expected;
  expect(cached.validate(context('miss'))).toEqual(rename(expected, 'plain', 'miss'));
  expect(fs.readdirSync(cacheDir)).toHaveLength(2);
  expect(cached.validate(context('hit'))).toEqual(rename(expected, 'plain', 'hit'));
  expect(fs.readdirSync(cacheDir)).toHaveLength(2);
});

test('a changed template misses, and its new finding is reported', () => {
  const cacheDir = path.join(dir, 'cache-changed');
  const cached = CachedCloudFormationValidate.forDirectory(cacheDir);
  const before = cached.validate(context('before'));
  const after = cached.validate(context('after', { TopicName: 42 }));
  expect(fs.readdirSync(cacheDir)).toHaveLength(3);
  expect(after.violations.map((v) => v.description)).not.toEqual(before.violations.map((v) => v.description));
  expect(after).toEqual(new CloudFormationValidatePlugin().validate(context('after', { TopicName: 42 })));
});
