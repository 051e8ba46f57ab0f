/**
 * The fault-injection experiments of an environment, as data: what each one does to which resources (FIS targets
 * and actions), what it may touch (the permissions of its role), when it stops (the app's own alarms), and what
 * should happen (the hypothesis and the expected recovery time, derived from the configuration).
 *
 * One source for three readers: the Chaos stack turns each plan into an `AWS::FIS::ExperimentTemplate`,
 * `npm run chaos` lists the hypotheses and judges recovery against the same figures, and docs/chaos.md is
 * generated from it (`npm run docs:chaos`).
 *
 * Targets are this environment's resources only: by ARN built from the literal identifiers the Data stack gives
 * them, or by the `Application` and `Environment` tags every resource of the environment carries.
 */
import type { AppConfig } from '../../config/schema';
import { chaosZone } from '../../config/schema/chaos-rules';
import { databaseIdentifiers } from '../database/identifiers';
import { identifierPrefix, namePrefix } from '../names';
import { AlarmNames, alarmArn, partitionOf } from './alarm-names';

export const EXPERIMENT_IDS = [
  'writer-failover',
  'reader-lost',
  'cache-primary-lost',
  'tasks-stopped',
  'task-cpu-stress',
  'task-network-latency',
  'task-packet-loss',
  'zone-lost',
] as const;
export type ExperimentId = (typeof EXPERIMENT_IDS)[number];

/** Tag every experiment template carries, so that `npm run chaos` finds a template by its experiment ID. */
export const EXPERIMENT_TAG = 'Experiment';

export interface FisTarget {
  readonly resourceType: string;
  readonly selectionMode: string;
  readonly resourceArns?: readonly string[];
  readonly resourceTags?: Readonly<Record<string, string>>;
  readonly filters?: readonly { readonly path: string; readonly values: readonly string[] }[];
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface FisAction {
  readonly actionId: string;
  readonly description: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** Resource-type key (`Clusters`, `Tasks`) to the name of a target of the same plan. */
  readonly targets: Readonly<Record<string, string>>;
}

/** One statement of the experiment role's policy (least privilege: scoped by ARN or by this environment's tags). */
export interface Permission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface ExpectedRecovery {
  /** From the end of the fault until every alarm the experiment stops on is OK again, at most. */
  readonly seconds: number;
  /** How the figure follows from the configuration, in a sentence. */
  readonly derivation: string;
}

export interface ExperimentPlan {
  readonly id: ExperimentId;
  readonly title: string;
  /** The failure mode rehearsed (a row of docs/architecture.md's table). */
  readonly failureMode: string;
  /** What should happen: which alarm fires, what fails over, what the user sees. */
  readonly hypothesis: string;
  readonly recovery: ExpectedRecovery;
  /** Where to look on the dashboard while it runs. */
  readonly dashboard: string;
  readonly stopAlarmNames: readonly string[];
  readonly targets: Readonly<Record<string, FisTarget>>;
  readonly actions: Readonly<Record<string, FisAction>>;
  readonly permissions: readonly Permission[];
  /** Runs inside the tasks (SSM documents): needs the SSM agent sidecar in every task definition. */
  readonly inTask: boolean;
}

export interface SkippedExperiment {
  readonly id: ExperimentId;
  readonly title: string;
  /** Why this environment has no template for it (and what to do instead). */
  readonly reason: string;
}

export interface ExperimentCatalog {
  readonly planned: readonly ExperimentPlan[];
  readonly skipped: readonly SkippedExperiment[];
}

/** FIS accepts at most this many stop conditions in a template (service quota). */
export const MAX_STOP_CONDITIONS = 5;

/**
 * Typical durations AWS documents, used in the recovery arithmetic: Aurora promotes a reader in about 30 s; an RDS
 * Multi-AZ instance fails over in 60 to 120 s; an instance reboot takes about two minutes; ElastiCache promotes a
 * replica within a minute of losing its primary; a Fargate task takes about a minute to pull and start.
 */
export const TYPICAL_SECONDS = {
  auroraFailover: 30,
  multiAzInstanceFailover: 120,
  instanceReboot: 120,
  cacheFailover: 60,
  fargateTaskStart: 60,
  /** One alarm period: the first datapoint after the fault that says the metric is back. */
  alarmPeriod: 60,
} as const;

const iso = (minutes: number) => `PT${minutes}M`;

/** Every experiment this environment's configuration allows, and the ones it does not, with the reason. */
export function planExperiments(config: AppConfig): ExperimentCatalog {
  const { app, environment, chaos } = config;
  const partition = partitionOf(environment.region);
  const { region, account } = environment;
  const prefix = namePrefix(app.name, environment.name);
  const db = databaseIdentifiers(identifierPrefix(app.name, environment.name), config.database.readReplicas);
  const envTags = { Application: app.name, Environment: environment.name };
  const tagConditions = { StringEquals: { 'aws:ResourceTag/Application': app.name, 'aws:ResourceTag/Environment': environment.name } };
  const services = Object.keys(config.services);
  const degraded = services.map((s) => AlarmNames.serviceDegraded(prefix, s));
  const lb5xx = AlarmNames.loadBalancer5xx(prefix);
  const zone = chaosZone(config);
  const duration = iso(chaos.durationMinutes);
  const rds = (type: 'cluster' | 'db', id: string) => `arn:${partition}:rds:${region}:${account}:${type}:${id}`;
  const aurora = config.database.engine === 'aurora-postgresql';
  const writerArn = aurora ? rds('cluster', db.cluster) : rds('db', db.writer);
  const readerArns = db.readers.map((reader) => rds('db', reader));
  const borrowTimeout = config.database.proxy.borrowTimeoutSeconds;

  const planned: ExperimentPlan[] = [];
  const skipped: SkippedExperiment[] = [];
  const skip = (id: ExperimentId, title: string, reason: string) => skipped.push({ id, title, reason });

  // --- The database writer fails over ---------------------------------------------------------------------------
  const writerTitle = 'The database writer fails over';
  if (aurora && config.database.readReplicas === 0) {
    skip(
      'writer-failover',
      writerTitle,
      'database.readReplicas is 0: Aurora has no reader to promote, and would rebuild the writer instead.',
    );
  } else if (!aurora && !config.database.multiAz) {
    skip('writer-failover', writerTitle, 'database.multiAz is false: the PostgreSQL primary has no standby to fail over to.');
  } else {
    const failover = aurora ? TYPICAL_SECONDS.auroraFailover : TYPICAL_SECONDS.multiAzInstanceFailover;
    planned.push({
      id: 'writer-failover',
      title: writerTitle,
      failureMode: 'The writer failed over: connections dropped mid-transaction',
      hypothesis: aurora
        ? `Aurora promotes a reader to writer in about ${failover} s. RDS Proxy keeps the clients' connections open and queues new borrows for up to ${borrowTimeout} s (database.proxy.borrowTimeoutSeconds), so requests in flight during the switch wait rather than fail; a transaction open at the moment of failover is rolled back and its request answers 5xx. The proxy borrow-latency alarm may fire; no service's degraded alarm does.`
        : `RDS fails the primary over to its standby in another zone in ${TYPICAL_SECONDS.multiAzInstanceFailover / 2} to ${failover} s. RDS Proxy keeps the clients' connections open and queues new borrows for up to ${borrowTimeout} s (database.proxy.borrowTimeoutSeconds); requests that wait longer answer 5xx. The proxy borrow-latency alarm may fire; no service's degraded alarm does.`,
      recovery: {
        seconds: failover + borrowTimeout + TYPICAL_SECONDS.alarmPeriod,
        derivation: `${aurora ? 'Aurora failover' : 'Multi-AZ failover'} (${failover} s) + the proxy's borrow timeout (${borrowTimeout} s) + one alarm period (${TYPICAL_SECONDS.alarmPeriod} s)`,
      },
      dashboard:
        'Database: writer connections and CPU drop to zero and come back; RDS Proxy: borrow latency spikes, client connections stay flat.',
      stopAlarmNames: [...degraded, AlarmNames.proxyBorrowLatency(prefix)],
      targets: aurora
        ? { Cluster: { resourceType: 'aws:rds:cluster', resourceArns: [writerArn], selectionMode: 'ALL' } }
        : { Writer: { resourceType: 'aws:rds:db', resourceArns: [writerArn], selectionMode: 'ALL' } },
      actions: aurora
        ? {
            Failover: {
              actionId: 'aws:rds:failover-db-cluster',
              description: 'Promote an Aurora reader to writer',
              targets: { Clusters: 'Cluster' },
            },
          }
        : {
            Failover: {
              actionId: 'aws:rds:reboot-db-instances',
              description: 'Reboot the primary with failover to its standby',
              parameters: { forceFailover: 'true' },
              targets: { DBInstances: 'Writer' },
            },
          },
      permissions: aurora
        ? [{ actions: ['rds:FailoverDBCluster', 'rds:DescribeDBClusters'], resources: [writerArn] }]
        : [{ actions: ['rds:RebootDBInstance', 'rds:DescribeDBInstances'], resources: [writerArn] }],
      inTask: false,
    });
  }

  // --- A reader is lost -----------------------------------------------------------------------------------------
  const readerTitle = 'A database reader is lost';
  if (readerArns.length === 0) {
    skip('reader-lost', readerTitle, 'database.readReplicas is 0: there is no reader to lose.');
  } else {
    const others = readerArns.length - 1;
    planned.push({
      id: 'reader-lost',
      title: readerTitle,
      failureMode: 'A reader was lost: reads queued behind one replica',
      hypothesis:
        others > 0
          ? `The first reader reboots (about ${TYPICAL_SECONDS.instanceReboot} s). The reader endpoint sends reads to the other ${others} reader${others === 1 ? '' : 's'}; their CPU rises (the readers-CPU alarm may fire if they were near its threshold), and no service's degraded alarm fires.`
          : `The only reader reboots (about ${TYPICAL_SECONDS.instanceReboot} s). Reads through the reader endpoint fail meanwhile: /health/ready reports the reader down, the load balancer keeps the tasks (it probes /health/live), and requests that need the reader answer 5xx. Rehearses whether the service degrades to the writer or fails its reads; with one reader, the degraded alarm may fire and stop the experiment.`,
      recovery: {
        seconds: TYPICAL_SECONDS.instanceReboot + TYPICAL_SECONDS.alarmPeriod,
        derivation: `an instance reboot (${TYPICAL_SECONDS.instanceReboot} s) + one alarm period (${TYPICAL_SECONDS.alarmPeriod} s)`,
      },
      dashboard:
        'Database: the rebooted reader’s CPU and replica lag gap, the other readers’ CPU; RDS Proxy (Aurora): reader-endpoint connections.',
      stopAlarmNames: [...degraded, AlarmNames.readersCpu(prefix)],
      targets: { Reader: { resourceType: 'aws:rds:db', resourceArns: [readerArns[0]], selectionMode: 'ALL' } },
      actions: {
        Reboot: {
          actionId: 'aws:rds:reboot-db-instances',
          description: 'Reboot the first reader',
          parameters: { forceFailover: 'false' },
          targets: { DBInstances: 'Reader' },
        },
      },
      permissions: [{ actions: ['rds:RebootDBInstance', 'rds:DescribeDBInstances'], resources: [readerArns[0]] }],
      inTask: false,
    });
  }

  // --- A cache tier's primary is lost -----------------------------------------------------------------------------
  const cacheTitle = 'A cache tier’s primary is lost';
  const singleNode = Object.entries(config.cache.tiers).filter(([, t]) => t.replicas === 0 || !t.multiAz);
  if (singleNode.length > 0) {
    skip(
      'cache-primary-lost',
      cacheTitle,
      `cache tier${singleNode.length === 1 ? '' : 's'} ${singleNode.map(([n]) => n).join(', ')} ha${singleNode.length === 1 ? 's' : 've'} no Multi-AZ replica (replicas: 0 or multiAz: false): a power interruption would lose the tier's data rather than fail over. Rehearse in an environment shaped like production (staging).`,
    );
  } else {
    const tiers = Object.keys(config.cache.tiers);
    planned.push({
      id: 'cache-primary-lost',
      title: cacheTitle,
      failureMode: 'A cache node was lost: sessions gone, or a thundering herd on the database',
      hypothesis: `Power is cut to every cache node in ${zone} for ${chaos.durationMinutes} min. Each tier whose primary is there (${tiers.join(', ')}; primaries start in the first zone) promotes its replica within about ${TYPICAL_SECONDS.cacheFailover} s and the primary endpoint follows. Clients reconnect; the noeviction tier keeps its sessions (replicated), so users stay logged in; the LRU tier's hit rate dips while keys written in the last instant are lost. No service's degraded alarm fires.`,
      recovery: {
        seconds: TYPICAL_SECONDS.cacheFailover + TYPICAL_SECONDS.alarmPeriod,
        derivation: `ElastiCache Multi-AZ promotion (${TYPICAL_SECONDS.cacheFailover} s) + one alarm period (${TYPICAL_SECONDS.alarmPeriod} s); the interrupted nodes rejoin as replicas after chaos.durationMinutes`,
      },
      dashboard:
        'Cache tiers: connections and engine CPU move to the promoted node; the hot tier’s hit rate dips; Database: CPU (misses fall through).',
      stopAlarmNames: [...degraded, lb5xx],
      targets: {
        ReplicationGroups: {
          resourceType: 'aws:elasticache:replicationgroup',
          resourceTags: envTags,
          parameters: { availabilityZoneIdentifier: zone },
          selectionMode: 'ALL',
        },
      },
      actions: {
        InterruptPower: {
          actionId: 'aws:elasticache:replicationgroup-interrupt-az-power',
          description: `Cut power to the cache nodes in ${zone}`,
          parameters: { duration },
          targets: { ReplicationGroups: 'ReplicationGroups' },
        },
      },
      permissions: [
        {
          actions: ['elasticache:InterruptClusterAzPower'],
          resources: [`arn:${partition}:elasticache:${region}:${account}:replicationgroup:*`],
          conditions: tagConditions,
        },
        { actions: ['elasticache:DescribeReplicationGroups', 'tag:GetResources'], resources: ['*'] },
      ],
      inTask: false,
    });
  }

  // --- Service tasks: stopped, starved of CPU, slowed, losing packets ---------------------------------------------
  const tasksTarget = (percent: number): FisTarget => ({
    resourceType: 'aws:ecs:task',
    resourceTags: envTags,
    filters: [{ path: 'LastStatus', values: ['RUNNING'] }],
    selectionMode: `PERCENT(${percent})`,
  });
  const taskArns = `arn:${partition}:ecs:${region}:${account}:task/*/*`;
  const resolveTasks: Permission = { actions: ['ecs:DescribeTasks', 'ecs:ListTasks', 'tag:GetResources'], resources: ['*'] };
  const first = Object.values(config.services)[0];
  const hc = first.healthCheck;
  const probeSeconds = (count: number) => count * hc.intervalSeconds;
  const belowDesired = services.map((s) => AlarmNames.serviceRunningBelowDesired(prefix, s));
  const stopRecovery = first.deregistrationDelaySeconds + TYPICAL_SECONDS.fargateTaskStart + probeSeconds(hc.healthyThresholdCount);
  planned.push({
    id: 'tasks-stopped',
    title: 'Service tasks are stopped',
    failureMode: 'A dead service kept getting traffic for 15 minutes',
    hypothesis: `${chaos.stopTasksPercent}% of the running tasks of every service stop at once. The load balancer drains them (deregistration delay ${first.deregistrationDelaySeconds} s) and sends traffic to the others; ECS starts replacements at once, which take traffic after ${hc.healthyThresholdCount} passing health checks ${hc.intervalSeconds} s apart. The running-below-desired alarm (after ${config.monitoring.thresholds.services.belowDesiredMinutes} min) must not fire: if it does, replacements are not starting.`,
    recovery: {
      seconds: stopRecovery + TYPICAL_SECONDS.alarmPeriod,
      derivation: `deregistration delay (${first.deregistrationDelaySeconds} s) + a Fargate task start (${TYPICAL_SECONDS.fargateTaskStart} s) + ${hc.healthyThresholdCount} health checks × ${hc.intervalSeconds} s + one alarm period (${TYPICAL_SECONDS.alarmPeriod} s)`,
    },
    dashboard: 'Services: running versus desired tasks, healthy targets, 5xx and p99 of each service; the load balancer’s 5xx.',
    stopAlarmNames: [...degraded, ...belowDesired].slice(0, MAX_STOP_CONDITIONS),
    targets: { Tasks: tasksTarget(chaos.stopTasksPercent) },
    actions: {
      StopTasks: {
        actionId: 'aws:ecs:stop-task',
        description: `Stop ${chaos.stopTasksPercent}% of the running tasks`,
        targets: { Tasks: 'Tasks' },
      },
    },
    permissions: [{ actions: ['ecs:StopTask'], resources: [taskArns], conditions: tagConditions }, resolveTasks],
    inTask: false,
  });

  // The in-task actions run FIS's SSM documents on the tasks, registered as SSM managed instances by the sidecar,
  // which tags each one with this environment's tags (lib/constructs/task-fault-injection.ts).
  const inTaskPermissions: Permission[] = [
    // FIS's own documents (AWSFIS-Run-*): AWS-owned, so their ARN has no account, hence the `*` in its place. No
    // account can create a document so named (SSM reserves names that begin with "aws").
    { actions: ['ssm:SendCommand'], resources: [`arn:${partition}:ssm:${region}:*:document/AWSFIS-*`] },
    {
      actions: ['ssm:SendCommand'],
      resources: [`arn:${partition}:ssm:${region}:${account}:managed-instance/*`],
      conditions: tagConditions,
    },
    { actions: ['ssm:ListCommands', 'ssm:CancelCommand'], resources: ['*'] },
    resolveTasks,
  ];
  const inTaskTarget = tasksTarget(chaos.taskFaultPercent);
  const afterFault = {
    seconds: TYPICAL_SECONDS.alarmPeriod * 3,
    derivation: `the fault ends with the experiment; the alarms judge 3 of 5 one-minute datapoints, so they are OK again within three alarm periods (${TYPICAL_SECONDS.alarmPeriod * 3} s)`,
  };
  const t = config.monitoring.thresholds.services;
  planned.push({
    id: 'task-cpu-stress',
    title: 'Tasks are starved of CPU',
    failureMode: 'A task hung: alive to its health check, too slow to serve',
    hypothesis: `${chaos.taskFaultPercent}% of the tasks run at ${chaos.cpuStressPercent}% CPU for ${chaos.durationMinutes} min. Their responses slow; the service scales out on CPU (target ${first.scaling.cpuPercent}%, scale-out cooldown ${first.scaling.scaleOutCooldownSeconds} s), and the p99 stays under ${t.p99LatencyMs} ms (monitoring.thresholds.services.p99LatencyMs) so the degraded alarm does not fire.`,
    recovery: afterFault,
    dashboard: 'Services: CPU per service, task count (scale-out), p99 latency; Container Insights: CPU per task.',
    stopAlarmNames: [...degraded, lb5xx],
    targets: { Tasks: inTaskTarget },
    actions: {
      CpuStress: {
        actionId: 'aws:ecs:task-cpu-stress',
        description: `Load the tasks' CPU to ${chaos.cpuStressPercent}%`,
        parameters: { duration, percent: String(chaos.cpuStressPercent) },
        targets: { Tasks: 'Tasks' },
      },
    },
    permissions: inTaskPermissions,
    inTask: true,
  });
  planned.push({
    id: 'task-network-latency',
    title: 'A dependency turns slow',
    failureMode: 'Cascade from one slow dependency',
    hypothesis: `${chaos.taskFaultPercent}% of the tasks see ${chaos.latencyMs} ms more on every packet for ${chaos.durationMinutes} min: every call to the proxy and the cache tiers slows. Requests on those tasks take several round trips longer; the p99 rises by a few × ${chaos.latencyMs} ms. If it crosses ${t.p99LatencyMs} ms the degraded alarm fires and stops the experiment: the timeouts are too loose or a request makes too many round trips.`,
    recovery: afterFault,
    dashboard: 'Services: p99 latency and 5xx; RDS Proxy: borrow latency and client connections (slow requests hold connections longer).',
    stopAlarmNames: [...degraded, lb5xx],
    targets: { Tasks: inTaskTarget },
    actions: {
      Latency: {
        actionId: 'aws:ecs:task-network-latency',
        description: `Add ${chaos.latencyMs} ms to the tasks' network`,
        parameters: { duration, delayMilliseconds: String(chaos.latencyMs), useEcsFaultInjectionEndpoints: 'true' },
        targets: { Tasks: 'Tasks' },
      },
    },
    permissions: inTaskPermissions,
    inTask: true,
  });
  planned.push({
    id: 'task-packet-loss',
    title: 'Tasks lose packets',
    failureMode: 'Cascade from one slow dependency',
    hypothesis: `${chaos.taskFaultPercent}% of the tasks lose ${chaos.packetLossPercent}% of their packets for ${chaos.durationMinutes} min. TCP retransmits; some calls take a retransmission timeout longer. The 5xx rate stays under ${t.target5xxPercent}% and the degraded alarm does not fire; if it does, a client has no timeout or retries without backoff.`,
    recovery: afterFault,
    dashboard: 'Services: 5xx and p99 latency; the load balancer’s 5xx; cache tiers: connections (reconnects).',
    stopAlarmNames: [...degraded, lb5xx],
    targets: { Tasks: inTaskTarget },
    actions: {
      PacketLoss: {
        actionId: 'aws:ecs:task-network-packet-loss',
        description: `Drop ${chaos.packetLossPercent}% of the tasks' packets`,
        parameters: { duration, lossPercent: String(chaos.packetLossPercent), useEcsFaultInjectionEndpoints: 'true' },
        targets: { Tasks: 'Tasks' },
      },
    },
    permissions: inTaskPermissions,
    inTask: true,
  });

  // --- A zone is lost -------------------------------------------------------------------------------------------
  const zoneTitle = 'An availability zone is lost';
  const subnets = (type: 'Public' | 'Private'): FisTarget => ({
    resourceType: 'aws:ec2:subnet',
    // CDK tags every subnet with its type: the zone's load-balancer and task subnets, not the data subnets (an RDS
    // or ElastiCache node behind a network ACL is alive to its service and would not fail over, which no real zone
    // outage looks like; the writer-failover and cache experiments rehearse the data layer's side).
    resourceTags: { ...envTags, 'aws-cdk:subnet-type': type },
    filters: [{ path: 'AvailabilityZone', values: [zone] }],
    selectionMode: 'ALL',
  });
  const ec2 = (type: string) => `arn:${partition}:ec2:${region}:${account}:${type}/*`;
  const fisAcl = { StringEquals: { 'aws:RequestTag/managedByFIS': 'true' } };
  if (environment.availabilityZones.length < 2) {
    skip('zone-lost', zoneTitle, 'the environment has one availability zone.');
  } else {
    const unhealthy = probeSeconds(hc.unhealthyThresholdCount);
    planned.push({
      id: 'zone-lost',
      title: zoneTitle,
      failureMode: 'A zone was lost: a third of the capacity gone at once',
      hypothesis: `The public and private subnets of ${zone} are cut off for ${chaos.durationMinutes} min. The tasks there fail ${hc.unhealthyThresholdCount} health checks ${hc.intervalSeconds} s apart (${unhealthy} s) and the load balancer stops sending them traffic; the tasks in the other zones carry the load and scale out if they must. Clients that resolved the load balancer's node in ${zone} retry on another address. No service's degraded alarm fires${config.network.natGateways < environment.availabilityZones.length ? `; with ${config.network.natGateways} NAT gateway(s) for ${environment.availabilityZones.length} zones, tasks elsewhere may lose outbound AWS API access if the NAT gateway is in ${zone}` : ''}.`,
      recovery: {
        seconds: probeSeconds(hc.healthyThresholdCount) + TYPICAL_SECONDS.alarmPeriod,
        derivation: `when the subnets are back, ${hc.healthyThresholdCount} passing health checks × ${hc.intervalSeconds} s + one alarm period (${TYPICAL_SECONDS.alarmPeriod} s)`,
      },
      dashboard: 'Services: healthy targets and p99 of each service; the load balancer’s 5xx and rejected connections.',
      stopAlarmNames: [...degraded, lb5xx],
      targets: { PublicSubnets: subnets('Public'), PrivateSubnets: subnets('Private') },
      actions: {
        CutPublic: {
          actionId: 'aws:network:disrupt-connectivity',
          description: `Cut the public subnets of ${zone} off`,
          parameters: { duration, scope: 'all' },
          targets: { Subnets: 'PublicSubnets' },
        },
        CutPrivate: {
          actionId: 'aws:network:disrupt-connectivity',
          description: `Cut the private subnets of ${zone} off`,
          parameters: { duration, scope: 'all' },
          targets: { Subnets: 'PrivateSubnets' },
        },
      },
      // AWSFaultInjectionSimulatorNetworkAccess, narrowed: FIS clones each subnet's network ACL (tagged
      // managedByFIS), adds deny entries, swaps the association, and swaps it back at the end.
      permissions: [
        { actions: ['ec2:CreateNetworkAcl'], resources: [ec2('network-acl')], conditions: fisAcl },
        { actions: ['ec2:CreateNetworkAcl'], resources: [ec2('vpc')], conditions: tagConditions },
        {
          actions: ['ec2:CreateTags'],
          resources: [ec2('network-acl')],
          conditions: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl', 'aws:RequestTag/managedByFIS': 'true' } },
        },
        {
          actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
          resources: [ec2('network-acl')],
          conditions: { StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' } },
        },
        { actions: ['ec2:ReplaceNetworkAclAssociation'], resources: [ec2('subnet')], conditions: tagConditions },
        // The subnet's own ACL (the VPC's default ACL carries no tags) is the other side of the swap back.
        { actions: ['ec2:ReplaceNetworkAclAssociation'], resources: [ec2('network-acl')] },
        {
          actions: [
            'ec2:DescribeNetworkAcls',
            'ec2:DescribeSubnets',
            'ec2:DescribeVpcs',
            'ec2:DescribeManagedPrefixLists',
            'tag:GetResources',
          ],
          resources: ['*'],
        },
      ],
      inTask: false,
    });
  }

  for (const plan of planned) {
    if (plan.stopAlarmNames.length > MAX_STOP_CONDITIONS) {
      throw new Error(
        `experiment ${plan.id} would stop on ${plan.stopAlarmNames.length} alarms; FIS accepts ${MAX_STOP_CONDITIONS}. With more than ${MAX_STOP_CONDITIONS - 1} services, set chaos.enabled: false or split the environment.`,
      );
    }
  }
  return { planned, skipped };
}

/** The ARN of an alarm of this environment, as a stop condition names it. */
export function stopAlarmArn(config: AppConfig, name: string): string {
  return alarmArn(partitionOf(config.environment.region), config.environment.region, config.environment.account, name);
}
