/**
 * The internet-facing Application Load Balancer in front of every service: HTTPS with a modern TLS policy
 * (HTTP redirected), invalid headers dropped, desync mitigation, access logs, WAF, deletion protection.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { EncryptedLogGroup, type LogGroupPolicy } from './encryption';

/** The HTTPS certificate: an existing one by ARN, or one ACM issues for a domain, validated in a hosted zone. */
export type LoadBalancerCertificate =
  { readonly arn: string } | { readonly domainName: string; readonly hostedZone: { readonly id: string; readonly name: string } };

/** What the load balancer is configured with (the shape of `loadBalancer` in config). */
export interface LoadBalancerSettings {
  /** A WAF web ACL (rate limit and AWS managed rules) in front of the load balancer. */
  readonly waf: boolean;
  /** Requests one address may make in 5 minutes before WAF blocks it. */
  readonly wafRateLimitPer5Minutes: number;
  readonly idleTimeoutSeconds: number;
  readonly desyncMitigationMode: 'strictest' | 'defensive';
  readonly deletionProtection: boolean;
  /** Days to keep access logs (and WAF logs). */
  readonly accessLogs: { readonly retentionDays: number };
  /** Whether zonal shift is enabled on the load balancer. */
  readonly zonalShift: { readonly enabled: boolean };
  /** Without one, the load balancer serves plain HTTP (a non-production sandbox only). */
  readonly certificate?: LoadBalancerCertificate;
  /**
   * Path patterns the public listener answers 404 itself, before any service's rule (`INTERNAL_PATHS_PRIORITY`):
   * endpoints for the VPC, not the internet, such as a deep health check that opens a database connection per request.
   * At most 5 (an ALB rule evaluates at most 5 values). The test listener of traffic-shifting deployments still
   * routes them, so a pre-traffic hook can request them there.
   * @default - none: every path goes to the services' rules
   */
  readonly internalPaths?: readonly string[];
}

/**
 * The listener-rule priority of `internalPaths`: the load balancer evaluates rules lowest first, so it answers them
 * before any service's rule can match (services take 2 and up; a `/*` service would otherwise match them too).
 */
export const INTERNAL_PATHS_PRIORITY = 1;

/** What the load balancer answers itself where no service's rule matches, and on `internalPaths`. */
const notFound = () => elbv2.ListenerAction.fixedResponse(404, { contentType: 'application/json', messageBody: '{"error":"not found"}' });

/** An ALB rule evaluates at most 5 condition values. */
const MAX_INTERNAL_PATHS = 5;

export interface PublicLoadBalancerProps {
  readonly settings: LoadBalancerSettings;
  readonly vpc: ec2.IVpc;
  /** Where the load balancer lives: the public subnets. */
  readonly subnets: ec2.SubnetSelection;
  /** Encrypts the WAF log group. */
  readonly logsKey: kms.IKey;
  /**
   * Removal of the access-log buckets and the WAF log group, and whether a log retention under a year is acknowledged.
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
  /** Prefix of physical names that must be unique in the account (`<App>-<env>`). */
  readonly namePrefix: string;
}

/** AWS managed rule groups of the web ACL, in evaluation order after the rate limit. */
export const WAF_MANAGED_RULE_GROUPS = [
  // OWASP-style protections: bad bots, oversized bodies, XSS, path traversal.
  'AWSManagedRulesCommonRuleSet',
  // Request patterns known to exploit vulnerabilities (Log4j, Java deserialization, ...).
  'AWSManagedRulesKnownBadInputsRuleSet',
  // Addresses Amazon threat intelligence has seen in attacks.
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/**
 * HTTPS listener policy: TLS 1.3 and 1.2 only, no CBC ciphers, with the post-quantum key exchange AWS
 * recommends since 2025 (clients without it negotiate the classic one).
 */
export const TLS_POLICY = elbv2.SslPolicy.TLS13_12_RES_PQ;

export class PublicLoadBalancer extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that carries the services' rules: HTTPS, or HTTP where the environment has no certificate. */
  readonly listener: elbv2.ApplicationListener;
  readonly securityGroup: ec2.SecurityGroup;
  /** Access logs of the load balancer (stateful: its construct ID is pinned). */
  readonly accessLogsBucket: s3.Bucket;
  /** Server access logs of the access-log bucket, as the compliance packs require of every bucket. */
  readonly accessLogsAuditBucket: s3.Bucket;
  readonly webAcl?: wafv2.CfnWebACL;
  /** Whether clients reach the services over HTTPS (false in an environment without a certificate). */
  readonly https: boolean;
  /** The idle timeout of client connections; services keep their own keep-alive longer. */
  readonly idleTimeout: Duration;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    const { settings: config } = props;
    const removalPolicy = props.logGroupPolicy?.removalPolicy ?? RemovalPolicy.RETAIN;
    if (config.waf && !(Number.isInteger(config.wafRateLimitPer5Minutes) && config.wafRateLimitPer5Minutes >= 10)) {
      throw new Error(
        `PublicLoadBalancer ${this.node.path}: expected wafRateLimitPer5Minutes of at least 10 (WAF's minimum), got ${config.wafRateLimitPer5Minutes}`,
      );
    }
    if (!(config.idleTimeoutSeconds >= 1 && config.idleTimeoutSeconds <= 4000)) {
      throw new Error(
        `PublicLoadBalancer ${this.node.path}: expected idleTimeoutSeconds between 1 and 4000, got ${config.idleTimeoutSeconds}`,
      );
    }
    const internalPaths = config.internalPaths ?? [];
    const badPaths = internalPaths.filter((p) => !/^\/\S{0,127}$/.test(p));
    if (internalPaths.length > MAX_INTERNAL_PATHS || badPaths.length > 0) {
      throw new Error(
        `PublicLoadBalancer ${this.node.path}: expected internalPaths of at most ${MAX_INTERNAL_PATHS} path patterns, each starting with / (at most 128 characters, no spaces), got ${JSON.stringify(internalPaths)}`,
      );
    }
    this.idleTimeout = Duration.seconds(config.idleTimeoutSeconds);
    this.https = config.certificate !== undefined;

    this.accessLogsAuditBucket = this.logBucket('AccessLogsAudit', config.accessLogs.retentionDays, removalPolicy);
    acknowledge(
      this.accessLogsAuditBucket,
      'This bucket receives the server access logs of the load-balancer access-log bucket; logging it in turn would need another bucket without end.',
      'CT.S3.PR.2',
      'AwsSolutions-S1',
      '*-S3BucketLoggingEnabled',
    );
    this.accessLogsBucket = this.logBucket('AccessLogs', config.accessLogs.retentionDays, removalPolicy, this.accessLogsAuditBucket);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Internet-facing load balancer: HTTP(S) from anywhere, out only to the service tasks',
      // Egress is added per service by CDK when the service registers as a target.
      allowAllOutbound: false,
    });
    acknowledge(
      this.securityGroup,
      'The internet-facing load balancer must accept HTTP(S) from any address; HTTP only redirects to HTTPS where a certificate is configured, and WAF filters requests in production.',
      'AwsSolutions-EC23',
      '*-EC2RestrictedInbound',
    );

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      internetFacing: true,
      securityGroup: this.securityGroup,
      idleTimeout: this.idleTimeout,
      // Headers with invalid characters are a request-smuggling vector; the services never need them.
      dropInvalidHeaderFields: true,
      desyncMitigationMode:
        config.desyncMitigationMode === 'strictest' ? elbv2.DesyncMitigationMode.STRICTEST : elbv2.DesyncMitigationMode.DEFENSIVE,
      deletionProtection: config.deletionProtection,
    });
    this.loadBalancer.logAccessLogs(this.accessLogsBucket);
    if (!config.deletionProtection) {
      acknowledge(
        this.loadBalancer,
        'Deletion protection is off by configuration in this non-production environment, so that it can be torn down; production requires it (schema guard rail).',
        '*-ELBDeletionProtectionEnabled',
        'CT.ELASTICLOADBALANCING.PR.5',
      );
    }

    const certificate = this.certificate(config);
    if (certificate) {
      this.listener = this.loadBalancer.addListener('Https', {
        protocol: elbv2.ApplicationProtocol.HTTPS,
        port: 443,
        certificates: [certificate],
        sslPolicy: TLS_POLICY,
        defaultAction: notFound(),
      });
      const redirect = this.loadBalancer.addListener('Http', {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
      acknowledge(
        redirect,
        'This HTTP listener serves nothing: its only action redirects every request to the HTTPS listener, which uses the ACM certificate.',
        '*-ELBv2ACMCertificateRequired',
      );
    } else {
      this.listener = this.loadBalancer.addListener('Http', {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        defaultAction: notFound(),
      });
      acknowledge(
        this.listener,
        'This environment has no certificate (loadBalancer.certificate), so it serves plain HTTP: acceptable only for a non-production sandbox without real data, as docs/services.md says. Production requires a certificate (schema guard rail), and then this listener only redirects to HTTPS.',
        '*-ALBHttpToHttpsRedirection',
        'CT.ELASTICLOADBALANCING.PR.1',
        '*-ELBTlsHttpsListenersOnly',
        '*-ELBv2ACMCertificateRequired',
      );
    }

    if (internalPaths.length > 0) {
      new elbv2.ApplicationListenerRule(this, 'InternalPaths', {
        listener: this.listener,
        priority: INTERNAL_PATHS_PRIORITY,
        conditions: [elbv2.ListenerCondition.pathPatterns([...internalPaths])],
        action: notFound(),
      });
    }

    // Lets an operator (or zonal autoshift) move traffic away from an impaired zone: docs/runbook.md#zonal-shift.
    this.loadBalancer.setAttribute('zonal_shift.config.enabled', String(config.zonalShift.enabled));

    if (config.waf) {
      this.webAcl = this.createWebAcl(config, props);
    } else {
      acknowledge(
        this.loadBalancer,
        'WAF is off by configuration in this non-production environment to save its cost; production requires it (schema guard rail).',
        '*-ALBWAFEnabled',
      );
    }
  }

  /**
   * The test listener of traffic-shifting deployments: ECS points its rules at the new version before production
   * traffic moves, and a pre-traffic hook requests it there. Plain HTTP on a port only `callers` reach (the NAT
   * gateways' addresses, through which a hook in the VPC reaches this internet-facing load balancer).
   */
  addTestListener(port: number, callers: readonly string[]): elbv2.ApplicationListener {
    const listener = this.loadBalancer.addListener('TestListener', {
      protocol: elbv2.ApplicationProtocol.HTTP,
      port,
      open: false,
      defaultAction: notFound(),
    });
    for (const ip of callers) {
      this.securityGroup.addIngressRule(
        ec2.Peer.ipv4(`${ip}/32`),
        ec2.Port.tcp(port),
        'Test listener: pre-traffic hooks through a NAT gateway',
      );
    }
    if (callers.length > 0) {
      acknowledge(
        this.securityGroup,
        'These rules cannot read the NAT gateways’ addresses, which are CloudFormation references (they throw). The ingress they would judge is the test listener port only, from each NAT gateway’s single /32 address: no SSH and no common port is open to anyone.',
        '*-EC2RestrictedCommonPorts',
        '*-EC2RestrictedSSH',
      );
    }
    acknowledge(
      listener,
      'The test listener must answer the hook in plain HTTP on its own port (a redirect to HTTPS would send the check to the production listener, past the new version). It carries no production traffic and answers only the NAT gateways of this VPC.',
      'CT.ELASTICLOADBALANCING.PR.1',
    );
    acknowledge(
      listener,
      'The test listener carries no production traffic: it answers only the NAT gateways of this VPC (security group), where the pre-traffic hook checks a new version before any user reaches it. Nothing secret crosses it (a health path).',
      '*-ALBHttpToHttpsRedirection',
      '*-ELBTlsHttpsListenersOnly',
      '*-ELBv2ACMCertificateRequired',
    );
    return listener;
  }

  private logBucket(id: string, retentionDays: number, removalPolicy: RemovalPolicy, serverAccessLogsBucket?: s3.IBucket): s3.Bucket {
    const bucket = new s3.Bucket(this, id, {
      // Load-balancer access logs can only be delivered to a bucket encrypted with S3-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // No ACLs on the load-balancer log bucket. The audit bucket is left to CDK, which picks what S3 server access
      // logging needs (a bucket policy, or with older feature flags an ACL that requires ObjectWriter).
      objectOwnership: serverAccessLogsBucket ? s3.ObjectOwnership.BUCKET_OWNER_ENFORCED : undefined,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      serverAccessLogsBucket,
      // In dev the bucket is deleted with the stack, which CloudFormation does only once it is empty.
      removalPolicy,
    });
    acknowledge(
      bucket,
      'Load-balancer access logs (and the S3 server access logs of their bucket) can only be delivered to a bucket encrypted with S3-managed keys (SSE-S3), not SSE-KMS.',
      '*-S3DefaultEncryptionKMS',
      'CT.S3.PR.10',
    );
    acknowledge(
      bucket,
      'S3 Object Lock would make every log object undeletable until its retention ends: a non-production bucket could then not be emptied and deleted with its stack, and logs kept for investigation are already versioned, private and expired by lifecycle after loadBalancer.accessLogs.retentionDays.',
      'CT.S3.PR.9',
    );
    // Object-created events go to the account's default EventBridge bus (free for AWS service events), where a
    // security team can subscribe; set on the CloudFormation resource, since CDK's addEventNotification path would
    // add a notification-handler Lambda function. Control Tower's CT.S3.PR.4.
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    acknowledge(
      bucket,
      'Logs expire after the configured retention; a replica in another region would double the cost of data that is kept for investigation, not for recovery.',
      '*-S3BucketReplicationEnabled',
    );
    return bucket;
  }

  private certificate(config: LoadBalancerSettings): acm.ICertificate | undefined {
    const cert = config.certificate;
    if (!cert) return undefined;
    if ('arn' in cert) return acm.Certificate.fromCertificateArn(this, 'Certificate', cert.arn);
    // The zone is given by ID and name, never looked up, so that synthesis stays offline.
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: cert.hostedZone.id,
      zoneName: cert.hostedZone.name,
    });
    return new acm.Certificate(this, 'Certificate', { domainName: cert.domainName, validation: acm.CertificateValidation.fromDns(zone) });
  }

  private createWebAcl(config: LoadBalancerSettings, props: PublicLoadBalancerProps): wafv2.CfnWebACL {
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${props.namePrefix}-web-acl`),
      rules: [
        {
          // One client flooding the services is blocked at the edge, before it reaches auto scaling.
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: config.wafRateLimitPer5Minutes, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        ...WAF_MANAGED_RULE_GROUPS.map((name, i) => ({
          name,
          priority: (i + 1) * 10,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(name),
        })),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: webAcl.attrArn,
    });
    // WAF delivers only to log groups whose name starts with aws-waf-logs-.
    const logs = new EncryptedLogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-${props.namePrefix}`,
      encryptionKey: props.logsKey,
      retentionDays: config.accessLogs.retentionDays,
      ...props.logGroupPolicy,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      // WAF wants the log group's ARN without the `:*` suffix that the CloudFormation attribute carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Never keep credentials in the logs.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    return webAcl;
  }
}
