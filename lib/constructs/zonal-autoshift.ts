/**
 * Zonal autoshift of the load balancer: AWS moves traffic away from an availability zone it sees impaired, and
 * rehearses that with weekly practice runs. The environment's own alarms govern the practice: a practice run does
 * not start while one of them is in ALARM (blocking alarms), and fails if one goes into ALARM during it (outcome
 * alarms), so a rehearsal never piles onto an incident.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { acknowledge } from '../compliance';
import * as arc from 'aws-cdk-lib/aws-arczonalshift';
import { Construct } from 'constructs';

export interface ZonalAutoshiftProps {
  readonly loadBalancerArn: string;
  /** Alarms that keep a practice run from starting and fail one that runs. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** Weekly UTC windows without practice runs (`Mon:07:00-Mon:10:00`). @default - none */
  readonly blockedWindows?: readonly string[];
  /**
   * Name of the composite that stands for several alarms (a practice run takes one blocking and one outcome alarm).
   * @default - a name CDK derives from the construct path
   */
  readonly compositeAlarmName?: string;
  /** Runbook link written into that composite's description. @default - none */
  readonly runbookUrl?: string;
}

export class ZonalAutoshift extends Construct {
  readonly resource: arc.CfnZonalAutoshiftConfiguration;

  constructor(scope: Construct, id: string, props: ZonalAutoshiftProps) {
    super(scope, id);
    if (props.alarms.length === 0) {
      throw new Error(`ZonalAutoshift ${this.node.path}: expected at least one alarm to block and judge practice runs, got none`);
    }
    // A practice run takes at most one blocking and one outcome alarm (CloudFormation's schema): several alarms
    // (one "service degraded" composite per service) are folded into one composite that is in ALARM when any is.
    const alarm = props.alarms.length === 1 ? props.alarms[0] : this.anyOf(props);
    const conditions = [{ type: 'CLOUDWATCH', alarmIdentifier: alarm.alarmArn }];
    this.resource = new arc.CfnZonalAutoshiftConfiguration(this, 'Resource', {
      resourceIdentifier: props.loadBalancerArn,
      zonalAutoshiftStatus: 'ENABLED',
      practiceRunConfiguration: {
        blockingAlarms: conditions,
        outcomeAlarms: conditions,
        blockedWindows: props.blockedWindows && props.blockedWindows.length > 0 ? [...props.blockedWindows] : undefined,
      },
    });
  }

  private anyOf(props: ZonalAutoshiftProps): cloudwatch.IAlarm {
    const composite = new cloudwatch.CompositeAlarm(this, 'PracticeRunGuard', {
      compositeAlarmName: props.compositeAlarmName,
      alarmDescription: `Zonal autoshift practice runs: in ALARM when any service is degraded, so that no practice run starts or continues during an incident.${props.runbookUrl ? ` Runbook: ${props.runbookUrl}` : ''}`,
      alarmRule: cloudwatch.AlarmRule.anyOf(...props.alarms.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
    });
    acknowledge(
      composite,
      'Read by zonal autoshift only, as the blocking and outcome alarm of its practice runs; every alarm it combines notifies the alarm topic itself.',
      '*-CloudWatchAlarmAction',
      'CT.CLOUDWATCH.PR.1',
    );
    return composite;
  }
}
