/**
 * The compliance gate: AwsSolutions, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 run in every synth, and
 * a finding that is not acknowledged fails it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { listEnvironments, loadEnvironment } from '../config/load';
import { buildEnvironment } from '../lib/app';
import { newApp } from './support/synth';

describe.each(listEnvironments())('%s environment', (env) => {
  test('synthesizes with no unacknowledged finding from any rule pack', () => {
    const app = newApp();
    buildEnvironment(app, loadEnvironment(env));
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const reports = report.pluginReports as { pluginName: string; conclusion: string; violations?: unknown[] }[];
    expect(reports.flatMap((r) => r.violations ?? [])).toEqual([]);
    expect(reports.filter((r) => r.conclusion !== 'success').map((r) => r.pluginName)).toEqual([]);
  });
});

test('fails the synth when a new resource breaks a rule, naming the rule and the resource', () => {
  const app = newApp();
  const { data } = buildEnvironment(app, loadEnvironment('dev'));
  // A bucket with no access logs, no TLS-only policy and no replication: several packs object.
  new s3.Bucket(data as Stack, 'CarelessBucket');
  expect(() => app.synth()).toThrow(/ERROR The S3 Bucket has server access logs disabled[\s\S]*CarelessBucket[\s\S]*AwsSolutions-S1/);
});
