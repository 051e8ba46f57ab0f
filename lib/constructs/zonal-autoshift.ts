/**
 * Zonal autoshift of the load balancer: AWS moves traffic away from an availability zone it sees impaired, and
 * rehearses that with weekly practice runs. The environment's own alarms govern the practice: a practice run does
 * not start while one of them is in ALARM (blocking alarms), and fails if one goes into ALARM during it (outcome
 * alarms), so a rehearsal never piles onto an incident.
 */
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as arc from 'aws-cdk-lib/aws-arczonalshift';
import { Construct } from 'constructs';

export interface ZonalAutoshiftProps {
  readonly loadBalancerArn: string;
  /** Alarms that keep a practice run from starting and fail one that runs. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** Weekly UTC windows without practice runs (`Mon:07:00-Mon:10:00`). @default - none */
  readonly blockedWindows?: readonly string[];
}

export class ZonalAutoshift extends Construct {
  readonly resource: arc.CfnZonalAutoshiftConfiguration;

  constructor(scope: Construct, id: string, props: ZonalAutoshiftProps) {
    super(scope, id);
    const conditions = props.alarms.map((alarm) => ({ type: 'CLOUDWATCH', alarmIdentifier: alarm.alarmArn }));
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
}
