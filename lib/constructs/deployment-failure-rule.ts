import * as events from 'aws-cdk-lib/aws-events';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface DeploymentFailureRuleProps {
  /** The services whose failed deployments notify. */
  readonly services: readonly ecs.IBaseService[];
  /** Where the notification goes: the alarm topic. */
  readonly topic: sns.ITopic;
  /**
   * The runbook section the notification links to.
   * @default - no link
   */
  readonly runbookLink?: string;
}

/**
 * Sends ECS "deployment failed" events of the environment's services to the alarm topic. A deployment that the
 * circuit breaker or a deployment alarm rolled back leaves the service running the old version, so nothing else
 * alarms: without this, a failed release goes unnoticed until someone looks.
 *
 * It lives in the Monitoring stack (with the topic), which depends on the Service stack, not the other way round.
 */
export class DeploymentFailureRule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: DeploymentFailureRuleProps) {
    super(scope, id);
    // An empty `resources` list would match every ECS deployment of the account, or none: neither is meant.
    if (props.services.length === 0) {
      throw new Error(`DeploymentFailureRule ${this.node.path}: expected at least one service to watch, got none`);
    }
    this.rule = new events.Rule(this, 'Resource', {
      description: 'ECS deployments of the services that failed (circuit breaker or deployment alarm) and rolled back',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Deployment State Change'],
        resources: props.services.map((s) => s.serviceArn),
        detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
      },
    });
    const field = (path: string) => events.EventField.fromPath(path);
    const message = events.RuleTargetInput.fromText(
      `ECS deployment failed and rolled back: ${field('$.resources[0]')} in ${field('$.region')} at ${field('$.time')}: ${field('$.detail.reason')} (deployment ${field('$.detail.deploymentId')})${props.runbookLink ? `. Runbook: ${props.runbookLink}` : ''}`,
    );
    // The topic as a bare target, not `targets.SnsTopic`: that one grants events.amazonaws.com an unscoped
    // publish on the topic and its key. The topic's own policy (AlarmTopic's publishers) admits this account's
    // rules only, and says so in one place.
    this.rule.addTarget({ bind: () => ({ arn: props.topic.topicArn, input: message }) });
  }
}
