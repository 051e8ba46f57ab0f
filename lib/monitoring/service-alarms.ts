/**
 * Alarms and dashboard of the services and of the load balancer in front of them.
 *
 * CPU, memory and unhealthy targets come from the library's `monitorFargateApplicationLoadBalancer`. What it lacks
 * is added as custom metrics of the same facade: running below desired (Container Insights), the 5xx rate and
 * p99 latency of each service's target group, and the load balancer's own 5xx and rejected connections.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as events from 'aws-cdk-lib/aws-events';
import { type AlarmKit, DISAMBIGUATOR, GT, GTE, degradedTag, metric } from './alarm-kit';
import type { PublicLoadBalancer } from '../constructs/load-balancer';
import type { WebService } from '../constructs/web-service';
import { errorRate } from './request-metrics';

const PERIOD = Duration.minutes(1);

/**
 * Minutes anomaly mitigation may stay in effect before it pages: the load balancer routes around one gray-failing
 * task by itself, but a task that stays anomalous this long needs a human (it keeps its share of health checks
 * and connections, and a second one would leave fewer tasks carrying the load).
 */
export const MITIGATION_ACTIVE_MINUTES = 15;

export function monitorService(kit: AlarmKit, service: WebService, loadBalancer: PublicLoadBalancer): void {
  const t = kit.thresholds.services;
  const name = service.name;
  const segment = `service-${name}`;

  kit.facade.monitorFargateApplicationLoadBalancer({
    fargateService: service.service,
    applicationLoadBalancer: loadBalancer.loadBalancer,
    applicationTargetGroup: service.targetGroup,
    alarmFriendlyName: segment,
    humanReadableName: `Service ${name}`,
    addCpuUsageAlarm: {
      [DISAMBIGUATOR]: {
        maxUsagePercent: t.cpuPercent,
        ...kit.common({
          section: 'service-cpu-high',
          description: `Service ${name} uses more than ${t.cpuPercent}% of its CPU on average although it scales out on CPU: it is at its task maximum, or scaling cannot keep up.`,
        }),
      },
    },
    addMemoryUsageAlarm: {
      [DISAMBIGUATOR]: {
        maxUsagePercent: t.memoryPercent,
        ...kit.common({
          section: 'service-memory-high',
          description: `Service ${name} uses more than ${t.memoryPercent}% of its memory on average: tasks are about to be killed for running out of memory.`,
        }),
      },
    },
    addUnhealthyTaskCountAlarm: {
      [DISAMBIGUATOR]: {
        maxUnhealthyTasks: t.unhealthyHosts - 1,
        ...kit.common({
          section: 'service-unhealthy-targets',
          description: `${t.unhealthyHosts} or more targets of service ${name} fail the load balancer's health check: they get no traffic, and the rest carry it.`,
          componentOf: name,
        }),
      },
    },
  });

  const tg = service.targetGroup.metrics;
  const requests = tg.requestCount({ period: PERIOD, statistic: 'Sum' });
  const errors = tg.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: PERIOD, statistic: 'Sum' });
  const dims = { ClusterName: service.service.cluster.clusterName, ServiceName: service.service.serviceName };
  const insights = (metricName: string, statistic: string) => metric('ECS/ContainerInsights', metricName, dims, statistic, metricName);

  kit.facade.monitorCustom({
    alarmFriendlyName: segment,
    humanReadableName: `Service ${name}: requests and tasks`,
    metricGroups: [
      {
        title: `${name}: 5xx and latency`,
        metrics: [
          kit.alarm(errorRate(requests, errors, 'Target 5xx (% of requests)'), {
            name: '5xx-rate',
            section: 'service-5xx-rate-high',
            description: `More than ${t.target5xxPercent}% of the requests to service ${name} get a 5xx from its tasks.`,
            threshold: t.target5xxPercent,
            comparison: GT,
            componentOf: name,
          }),
          kit.alarm(tg.targetResponseTime({ period: PERIOD, statistic: 'p99' }), {
            name: 'p99-latency',
            section: 'service-p99-latency-high',
            description: `The p99 response time of service ${name} is above ${t.p99LatencyMs} ms: one request in a hundred is this slow (a slow dependency, or saturated tasks).`,
            threshold: t.p99LatencyMs / 1000,
            comparison: GT,
            componentOf: name,
          }),
        ],
      },
      ...grayFailure(kit, service),
      {
        title: `${name}: tasks`,
        metrics: [
          kit.alarm(
            new cloudwatch.MathExpression({
              // The fewest desired against the most running in the minute: a gap that survives the whole minute.
              expression: 'desired - running',
              usingMetrics: { desired: insights('DesiredTaskCount', 'Minimum'), running: insights('RunningTaskCount', 'Maximum') },
              period: PERIOD,
              label: 'Tasks below desired',
            }),
            {
              name: 'running-below-desired',
              section: 'service-running-below-desired',
              description: `Service ${name} has run fewer tasks than desired for ${t.belowDesiredMinutes} minutes: tasks fail to start or keep dying.`,
              threshold: 1,
              comparison: GTE,
              datapointsToAlarm: t.belowDesiredMinutes,
              evaluationPeriods: t.belowDesiredMinutes,
              componentOf: name,
            },
          ),
        ],
      },
    ],
  });

  kit.facade.createCompositeAlarmUsingTag(degradedTag(name), {
    disambiguator: DISAMBIGUATOR,
    alarmNameOverride: `${kit.alarmNamePrefix}-${segment}-degraded`,
    alarmDescription: `Service ${name} is degraded: its 5xx rate, p99 latency, unhealthy targets or running tasks crossed a threshold. The alarm's state reason names which; each has its own runbook section.`,
    runbookLink: kit.link('service-degraded'),
  });
}

/** Anomalous and mitigated targets of both target groups (ECS alternates the tasks between them). */
function grayFailure(kit: AlarmKit, service: WebService) {
  const routing = service.loadBalancing;
  if (routing.algorithm !== 'weighted-random' || !routing.anomalyMitigation) return [];
  // IDs distinct per metric: both expressions share one graph, where CloudWatch wants every ID once.
  const both = (metricName: string, label: string) => {
    const id = metricName.charAt(0).toLowerCase() + metricName.slice(1);
    return new cloudwatch.MathExpression({
      expression: `MAX([${id}Primary, ${id}Alternate])`,
      usingMetrics: {
        [`${id}Primary`]: service.targetGroup.metrics.custom(metricName, { period: PERIOD, statistic: 'Maximum' }),
        [`${id}Alternate`]: service.alternateTargetGroup.metrics.custom(metricName, { period: PERIOD, statistic: 'Maximum' }),
      },
      period: PERIOD,
      label,
    });
  };
  return [
    {
      title: `${service.name}: gray failure (automatic target weights)`,
      metrics: [
        both('AnomalousHostCount', 'Anomalous targets'),
        kit.alarm(both('MitigatedHostCount', 'Targets under mitigation'), {
          name: 'mitigation-active',
          section: 'service-anomaly-mitigation-active',
          description: `The load balancer has routed traffic away from an anomalous task of service ${service.name} for ${MITIGATION_ACTIVE_MINUTES} minutes: a task answers worse than its peers (gray failure) and is not recovering.`,
          threshold: 1,
          comparison: GTE,
          datapointsToAlarm: MITIGATION_ACTIVE_MINUTES,
          evaluationPeriods: MITIGATION_ACTIVE_MINUTES,
        }),
      ],
    },
  ];
}

export function monitorLoadBalancer(kit: AlarmKit, loadBalancer: PublicLoadBalancer): void {
  const t = kit.thresholds.loadBalancer;
  const lb = loadBalancer.loadBalancer.metrics;
  const requests = lb.requestCount({ period: PERIOD, statistic: 'Sum' });
  const errors = lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: PERIOD, statistic: 'Sum' });
  kit.facade.monitorCustom({
    alarmFriendlyName: 'load-balancer',
    humanReadableName: 'Application Load Balancer',
    metricGroups: [
      {
        title: 'Load balancer',
        metrics: [
          kit.alarm(errorRate(requests, errors, 'Load balancer 5xx (% of requests)'), {
            name: 'elb-5xx-rate',
            section: 'load-balancer-5xx-high',
            description: `The load balancer itself answers more than ${t.elb5xxPercent}% of requests with a 5xx (502, 503, 504): no healthy target, or targets that close connections or time out.`,
            threshold: t.elb5xxPercent,
            comparison: GT,
          }),
          kit.alarm(lb.rejectedConnectionCount({ period: PERIOD, statistic: 'Sum' }), {
            name: 'rejected-connections',
            section: 'load-balancer-rejected-connections',
            description: `The load balancer rejects ${t.rejectedConnections} or more connections a minute: it reached its connection limit.`,
            threshold: t.rejectedConnections,
            comparison: GTE,
          }),
        ],
      },
    ],
  });
}

/**
 * The failed-deployment rule notifies by itself (its message carries the reason and deployment ID, which an
 * alarm could not). What could still go unheard is the rule failing to deliver, say after a key-policy change on
 * the encrypted topic: that is alarmed. Its firings are drawn next to it.
 */
export function monitorDeploymentRule(kit: AlarmKit, rule: events.IRule): void {
  const dims = { RuleName: rule.ruleName };
  kit.facade.monitorCustom({
    alarmFriendlyName: 'deployments',
    humanReadableName: 'Failed deployments (EventBridge rule)',
    metricGroups: [
      {
        title: 'Failed deployments',
        metrics: [
          metric('AWS/Events', 'TriggeredRules', dims, 'Sum', 'Failed deployments'),
          kit.alarm(metric('AWS/Events', 'FailedInvocations', dims, 'Sum', 'Notifications not delivered'), {
            name: 'notifications-failing',
            section: 'deployment-notifications-failing',
            description:
              'The rule that reports failed ECS deployments could not publish to the alarm topic: failed deployments go unreported.',
            threshold: 1,
            comparison: GTE,
            datapointsToAlarm: 1,
            evaluationPeriods: 1,
          }),
        ],
      },
    ],
  });
}
