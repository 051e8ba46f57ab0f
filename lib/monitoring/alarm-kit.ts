/**
 * What every alarm of the environment has in common, in one place: the facade that creates it (and draws it on
 * the dashboard), its name prefix, its description with the runbook link, and who hears of it.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  type CustomAlarmThreshold,
  type CustomMetricWithAlarm,
  type CustomThreshold,
  type MetricWithAlarmSupport,
  type MonitoringFacade,
  noopAction,
} from 'cdk-monitoring-constructs';
import { type RunbookSection, runbookLink } from './runbook';

/** The thresholds of every alarm (the shape of `monitoring.thresholds` in config; docs/observability.md says why each). */
export interface AlarmThresholds {
  readonly database: {
    readonly cpuPercent: number;
    readonly freeableMemoryMiB: number;
    readonly freeStorageGiB: number;
    readonly connectionsPercent: number;
    readonly readLatencyMs: number;
    readonly writeLatencyMs: number;
    readonly replicaLagSeconds: number;
  };
  readonly proxy: {
    readonly clientConnectionsPercent: number;
    readonly databaseConnectionsPercent: number;
    readonly borrowLatencyMs: number;
    readonly queryResponseLatencyMs: number;
    readonly pinnedConnectionsPercent: number;
  };
  readonly cache: {
    readonly noevictionMemoryPercent: number;
    readonly evictingMemoryPercent: number;
    readonly engineCpuPercent: number;
    readonly connectionsPerNode: number;
    readonly replicationLagSeconds: number;
    readonly evictionsPerMinute: number;
    readonly minHitRatePercent: number;
  };
  readonly services: {
    readonly cpuPercent: number;
    readonly memoryPercent: number;
    readonly belowDesiredMinutes: number;
    readonly target5xxPercent: number;
    readonly p99LatencyMs: number;
    readonly unhealthyHosts: number;
  };
  readonly loadBalancer: { readonly elb5xxPercent: number; readonly rejectedConnections: number };
}

/** The one severity: every alarm either notifies the topic or feeds a composite alarm that does. */
export const DISAMBIGUATOR = 'Critical';
/** Custom tag of the alarms that make up a service's "degraded" composite alarm. */
export const degradedTag = (service: string) => `degraded:${service}`;

export interface AlarmSpec {
  /** The alarm's name within its segment (`writer-cpu`): `<prefix>-<segment>-<name>-Critical`. */
  readonly name: string;
  readonly section: RunbookSection;
  /** What the alarm means, in a sentence an on-call engineer reads in the notification. */
  readonly description: string;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  /** @default 3 */
  readonly datapointsToAlarm?: number;
  /** @default 5 */
  readonly evaluationPeriods?: number;
  /** @default TreatMissingData.NOT_BREACHING - no traffic is not an outage; the composite and verify see the rest */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /**
   * The service whose "degraded" composite alarm this one feeds. The composite notifies (once, naming the cause);
   * this alarm then has no actions of its own.
   * @default - notifies the topic itself
   */
  readonly componentOf?: string;
}

export interface AlarmKitProps {
  readonly facade: MonitoringFacade;
  /** What every alarm name starts with (`ScaledApp-prod`), the facade's `alarmNamePrefix`. */
  readonly alarmNamePrefix: string;
  readonly thresholds: AlarmThresholds;
  /** Base URL (or repository path) of docs/runbook.md. */
  readonly runbookUrl: string;
}

export class AlarmKit {
  readonly facade: MonitoringFacade;
  readonly alarmNamePrefix: string;
  readonly thresholds: AlarmThresholds;
  readonly runbookUrl: string;

  constructor(props: AlarmKitProps) {
    this.facade = props.facade;
    this.alarmNamePrefix = props.alarmNamePrefix;
    this.thresholds = props.thresholds;
    this.runbookUrl = props.runbookUrl;
  }

  link(section: RunbookSection): string {
    return runbookLink(this.runbookUrl, section);
  }

  /** Description, runbook link, actions and tags of an alarm, as the library's thresholds take them. */
  common(spec: Pick<AlarmSpec, 'section' | 'description' | 'componentOf'>): CustomAlarmThreshold {
    const component = spec.componentOf !== undefined;
    return {
      alarmDescriptionOverride: component
        ? `${spec.description} Part of the "${spec.componentOf} degraded" composite alarm, which notifies.`
        : spec.description,
      runbookLink: this.link(spec.section),
      // Components stay silent: the composite says "api degraded" once instead of four alarms saying it in parts.
      actionOverride: component ? noopAction() : undefined,
      customTags: component ? [degradedTag(spec.componentOf!)] : undefined,
    };
  }

  /** A metric with its alarm, for `monitorCustom`. */
  alarm(metric: MetricWithAlarmSupport, spec: AlarmSpec): CustomMetricWithAlarm {
    const threshold: CustomThreshold = {
      ...this.common(spec),
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      datapointsToAlarm: spec.datapointsToAlarm ?? 3,
      evaluationPeriods: spec.evaluationPeriods ?? 5,
      treatMissingDataOverride: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    return { metric, alarmFriendlyName: spec.name, addAlarm: { [DISAMBIGUATOR]: threshold } };
  }
}

/** A metric of one minute (or `period`), as every alarm here reads them. */
export function metric(
  namespace: string,
  metricName: string,
  dimensionsMap: Record<string, string>,
  statistic: string,
  label: string,
  period: Duration = Duration.minutes(1),
): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic, label, period });
}

/**
 * One value over several metrics (`MAX([m1, m2])`), in groups of at most `perAlarm` metrics: CloudWatch accepts
 * at most 10 metrics in an alarm's math expression, so a tier of many nodes gets one alarm per group.
 */
export function chunk<T>(items: readonly T[], perAlarm: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += perAlarm) groups.push(items.slice(i, i + perAlarm));
  return groups;
}

export const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
export const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
export const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
