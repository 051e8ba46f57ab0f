/**
 * What a traffic-shifting deployment (ECS native blue/green, linear, canary) needs beside the service: the ECS
 * deployment settings of each strategy, and the infrastructure role ECS assumes to move the weights of the
 * production (and test) listener rule and to register tasks in either target group.
 *
 * Why the listener rule and both target groups exist whatever the strategy: CloudFormation rewrites a listener
 * rule's actions whenever the rule's template changes, resetting the weights ECS moved during the last deployment
 * (aws/aws-cdk#36649). Keeping the rule's template identical in every strategy makes a strategy switch an update of
 * the ECS service alone: no listener rule, target group or load balancer is touched (test/rollout-switch.test.ts).
 */
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import type { DeploymentStrategyName, TrafficShiftSettings } from '../rollout/strategies';

/** The FargateService props of a strategy. Rolling leaves every one unset, as the service had them before. */
export function deploymentStrategyProps(
  strategy: DeploymentStrategyName,
  settings: TrafficShiftSettings,
): Pick<ecs.FargateServiceProps, 'deploymentStrategy' | 'bakeTime' | 'canaryConfiguration' | 'linearConfiguration'> {
  switch (strategy) {
    case 'rolling':
      return {};
    case 'blue-green':
      return { deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN, bakeTime: Duration.minutes(settings.bakeMinutes) };
    case 'canary':
      return {
        deploymentStrategy: ecs.DeploymentStrategy.CANARY,
        bakeTime: Duration.minutes(settings.bakeMinutes),
        canaryConfiguration: { stepPercent: settings.canary.percent, stepBakeTime: Duration.minutes(settings.canary.bakeMinutes) },
      };
    case 'linear':
      return {
        deploymentStrategy: ecs.DeploymentStrategy.LINEAR,
        bakeTime: Duration.minutes(settings.bakeMinutes),
        linearConfiguration: { stepPercent: settings.linear.stepPercent, stepBakeTime: Duration.minutes(settings.linear.stepMinutes) },
      };
  }
}

export interface LoadBalancerRoleProps {
  /** The target groups ECS registers the service's tasks in (at least one). */
  readonly targetGroups: readonly elbv2.IApplicationTargetGroup[];
  /** The listener rules whose weights ECS moves (at least one). */
  readonly rules: readonly elbv2.ApplicationListenerRule[];
}

/**
 * The Amazon ECS infrastructure role for load balancers, narrowed from AmazonECSInfrastructureRolePolicyForLoadBalancers
 * to this service's two target groups and its listener rules (the managed policy allows every target group and rule).
 */
export class LoadBalancerInfrastructureRole extends iam.Role {
  constructor(scope: Construct, id: string, props: LoadBalancerRoleProps) {
    super(scope, id, {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'Assumed by ECS to shift traffic between the service target groups during a deployment',
    });
    // An empty list would leave a statement without a resource, which IAM refuses.
    const problems = [
      ...(props.targetGroups.length === 0 ? ['expected at least one target group to register tasks in, got none'] : []),
      ...(props.rules.length === 0 ? ['expected at least one listener rule to move the weights of, got none'] : []),
    ];
    if (problems.length > 0) throw new Error(`LoadBalancerInfrastructureRole ${this.node.path}: ${problems.join('; ')}`);
    this.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        resources: ['*'],
      }),
    );
    this.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        resources: props.targetGroups.map((tg) => tg.targetGroupArn),
      }),
    );
    this.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyRule'], resources: props.rules.map((r) => r.listenerRuleArn) }),
    );
    acknowledge(
      this,
      'Written here for this one service: register tasks in its two target groups and move the weights of its own listener rules. The four Describe* actions have no resource-level permissions in Elastic Load Balancing, hence their `*`.',
      '*-IAMNoInlinePolicy',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }
}
