import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { checkDeployments, type DeploymentsInput } from '../../scripts/verify/deployments';
import { accessDenied, mockAws } from './support';

const input: DeploymentsInput = { clusterName: 'cluster', services: [{ name: 'Api', serviceName: 'api-svc' }] };
const ARN = 'arn:aws:ecs:eu-west-1:333333333333:service-deployment/cluster/api-svc/abc';

function withDeployment(deployment: Record<string, unknown>) {
  const { aws, mocks } = mockAws();
  mocks.ecs
    .on(ListServiceDeploymentsCommand, { cluster: 'cluster', service: 'api-svc' })
    .resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN }] });
  mocks.ecs
    .on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [ARN] })
    .resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, ...deployment }] });
  return aws;
}

describe('deployment report', () => {
  test('reports a canary in its bake stage', async () => {
    const aws = withDeployment({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME', deploymentConfiguration: { strategy: 'CANARY' } });
    expect(await checkDeployments(aws, input)).toEqual([
      { name: 'service Api deployment', ok: true, detail: 'canary, IN_PROGRESS, stage BAKE_TIME' },
    ]);
  });

  test('reports a completed rolling deployment', async () => {
    const aws = withDeployment({ status: 'SUCCESSFUL', deploymentConfiguration: {} });
    expect(await checkDeployments(aws, input)).toEqual([{ name: 'service Api deployment', ok: true, detail: 'rolling, SUCCESSFUL' }]);
  });

  test('fails when the deployment rolled back, with the reason', async () => {
    const aws = withDeployment({
      status: 'ROLLBACK_SUCCESSFUL',
      statusReason: 'alarm ScaledApp-prod-api-deployment-5xx-rate in ALARM',
      deploymentConfiguration: { strategy: 'CANARY' },
      rollback: { reason: 'deployment alarm', serviceRevisionArn: 'arn:rev/1' },
    });
    expect(await checkDeployments(aws, input)).toEqual([
      {
        name: 'service Api deployment',
        ok: false,
        detail: 'canary, ROLLBACK_SUCCESSFUL (alarm ScaledApp-prod-api-deployment-5xx-rate in ALARM), rolled back: deployment alarm',
      },
    ]);
  });

  test('passes with a note when the service has never deployed', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    expect(await checkDeployments(aws, input)).toEqual([
      { name: 'service Api deployment', ok: true, detail: 'no deployment recorded yet' },
    ]);
  });

  test('fails the one check, naming the action, when the call is denied', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(ListServiceDeploymentsCommand).rejects(accessDenied());
    const [result] = await checkDeployments(aws, input);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/ecs:ListServiceDeployments/);
  });
});
