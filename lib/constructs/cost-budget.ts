import * as budgets from 'aws-cdk-lib/aws-budgets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface CostBudgetProps {
  /** Name of the budget, unique in the account; the alarm topic's policy names it (AlarmTopic.budget). */
  readonly budgetName: string;
  /** Monthly limit, in `currency`. */
  readonly monthlyLimit: number;
  /** Topic that receives the notifications; its policy must let `budgets.amazonaws.com` publish. */
  readonly topic: sns.ITopic;
  /**
   * Currency of the limit: AWS Budgets accepts the account's billing currency.
   * @default 'USD'
   */
  readonly currency?: string;
  /**
   * Notify when actual spend this month passes this percentage of the limit.
   * @default 80
   */
  readonly actualPercent?: number;
  /**
   * Notify when forecast spend for the month passes this percentage of the limit.
   * @default 100
   */
  readonly forecastPercent?: number;
}

/**
 * A monthly cost budget that notifies the alarm topic: early on actual spend, and on a forecast above the limit,
 * so that the on-call channel hears of an overrun before the invoice does. It covers the whole account (each
 * environment deploys to its own account), so no cost-allocation tag has to be activated for it to count.
 */
export class CostBudget extends Construct {
  readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!(props.monthlyLimit > 0)) problems.push(`monthlyLimit: expected a number > 0, got ${props.monthlyLimit}`);
    for (const [name, value] of [
      ['actualPercent', props.actualPercent],
      ['forecastPercent', props.forecastPercent],
    ] as const) {
      if (value !== undefined && !(value > 0 && value <= 1000)) problems.push(`${name}: expected a percentage in (0, 1000], got ${value}`);
    }
    if (problems.length > 0) throw new Error(`CostBudget ${this.node.path}: ${problems.join('; ')}`);

    const subscribers = [{ subscriptionType: 'SNS', address: props.topic.topicArn }];
    const notification = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers,
    });
    this.budget = new budgets.CfnBudget(this, 'Resource', {
      budget: {
        budgetName: props.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimit, unit: props.currency ?? 'USD' },
        // What `npm run cost` estimates: usage at list prices. Tax, support, credits and refunds (which Budgets counts
        // by default) would move the actual spend away from the estimate the limit was set against.
        costTypes: { includeTax: false, includeSupport: false, includeCredit: false, includeRefund: false },
      },
      notificationsWithSubscribers: [
        notification('ACTUAL', props.actualPercent ?? 80),
        notification('FORECASTED', props.forecastPercent ?? 100),
      ],
    });
  }
}
