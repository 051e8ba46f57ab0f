/**
 * The compliance gate: AwsSolutions, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 run in every synth, and
 * a finding that is not acknowledged fails it. (That every environment synthesizes clean is checked in
 * environments.test.ts, which synthesizes each environment once for all its whole-environment checks.)
 */
import * as fs from 'fs';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { listEnvironments, loadEnvironment } from '../config/load';
import { buildEnvironment } from '../lib/app';
import { acknowledgements, COMPLIANCE_FILE, renderComplianceReport } from '../scripts/compliance-docs';
import { newApp, synth } from './support/synth';

test('fails the synth when a new resource breaks a rule, naming the rule and the resource', () => {
  const app = newApp();
  const { data } = buildEnvironment(app, loadEnvironment('dev'));
  // A bucket with no access logs, no TLS-only policy and no replication: several packs object.
  new s3.Bucket(data as Stack, 'CarelessBucket');
  expect(() => app.synth()).toThrow(/ERROR The S3 Bucket has server access logs disabled[\s\S]*CarelessBucket[\s\S]*AwsSolutions-S1/);
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
