/**
 * Validation of the service tier's configuration (`services`, `loadBalancer`): each bad input is one line
 * naming the file, the field, what was expected and what was received.
 */
import dev from '../../config/environments/dev';
import prod from '../../config/environments/prod';
import { describeMemorySizes } from '../../config/schema/service-rules';
import { FARGATE_TASK_SIZES } from '../../config/schema/services';
import { FILE, problems } from '../support/problems';
import { type EnvironmentOverrides, resolveConfig } from '../../config/load';
import { deepMerge } from '../../config/merge';

/**
 * dev, with room in its capacity model for the tasks these specifications add (a second service, a higher
 * maximum), so that each specification sees only the problem it is about.
 */
const DEV = deepMerge(dev, { capacity: { maxTasks: 20 } }) as EnvironmentOverrides;

/** A second service, complete, as a team would add it to an environment file. */
const WEB = {
  image: { source: 'registry', reference: 'my-org/web:2.0.1' },
  cpu: 256,
  memory: 512,
  port: 3000,
  tasks: { desired: 2, min: 2, max: 4 },
  routing: { priority: 50, pathPatterns: ['/app/*'] },
};

describe('a new service', () => {
  test('is a few lines of config: everything else comes from the service defaults', () => {
    const config = resolveConfig('test', deepMerge(DEV, { services: { web: WEB } }));
    expect(Object.keys(config.services)).toEqual(['api', 'web']);
    expect(config.services.web).toMatchObject({
      user: '1000:1000',
      healthCheck: { path: '/health/live', intervalSeconds: 10, unhealthyThresholdCount: 2 },
      deregistrationDelaySeconds: 30,
      routing: { priority: 50, pathPatterns: ['/app/*'], hosts: [] },
      scheduledScaling: [],
      environment: {},
      secrets: {},
    });
  });

  test('may override part of a nested default and keep the rest', () => {
    const config = resolveConfig('test', deepMerge(DEV, { services: { web: { ...WEB, healthCheck: { path: '/healthz' } } } }));
    expect(config.services.web.healthCheck).toMatchObject({ path: '/healthz', intervalSeconds: 10 });
  });

  test('an environment may drop a default service with null', () => {
    expect(Object.keys(resolveConfig('test', { ...dev, services: { api: null, web: WEB } }).services)).toEqual(['web']);
  });
});

describe('task size', () => {
  test('fails on a CPU and memory pair Fargate does not offer, listing the sizes it does', () => {
    expect(problems(DEV, { services: { api: { cpu: 256, memory: 4096 } } })).toEqual([
      `${FILE}: services.api.memory: expected a memory size Fargate offers with cpu 256: 512, 1024 or 2048 MiB, got 4096`,
    ]);
    expect(problems(DEV, { services: { api: { cpu: 1024, memory: 1024 } } })).toEqual([
      `${FILE}: services.api.memory: expected a memory size Fargate offers with cpu 1024: 2048 to 8192 MiB in steps of 1024, got 1024`,
    ]);
  });

  test('fails on a CPU size Fargate does not offer', () => {
    expect(problems(DEV, { services: { api: { cpu: 300 } } })).toEqual([
      `${FILE}: services.api.cpu: expected one of the Fargate CPU sizes (256, 512, 1024, 2048, 4096, 8192, 16384), got 300`,
    ]);
  });

  test('the table of valid pairs matches the Fargate documentation', () => {
    expect(Object.fromEntries(Object.entries(FARGATE_TASK_SIZES).map(([cpu, sizes]) => [cpu, describeMemorySizes(sizes)]))).toEqual({
      256: '512, 1024 or 2048 MiB',
      512: '1024 to 4096 MiB in steps of 1024',
      1024: '2048 to 8192 MiB in steps of 1024',
      2048: '4096 to 16384 MiB in steps of 1024',
      4096: '8192 to 30720 MiB in steps of 1024',
      8192: '16384 to 61440 MiB in steps of 4096',
      16384: '32768 to 122880 MiB in steps of 8192',
    });
  });
});

describe('task counts', () => {
  test('fails when min > max', () => {
    expect(problems(DEV, { services: { api: { tasks: { desired: 2, min: 3, max: 2 } } } })).toEqual([
      `${FILE}: services.api.tasks.min: expected at most tasks.max (2), got 3`,
    ]);
  });

  test('fails when desired lies outside min..max', () => {
    expect(problems(DEV, { services: { api: { tasks: { desired: 7, min: 2, max: 6 } } } })).toEqual([
      `${FILE}: services.api.tasks.desired: expected between tasks.min (2) and tasks.max (6), got 7`,
    ]);
    expect(problems(DEV, { services: { api: { tasks: { desired: 0, min: 1, max: 6 } } } })).toEqual([
      `${FILE}: services.api.tasks.desired: expected between tasks.min (1) and tasks.max (6), got 0`,
    ]);
  });

  test('fails when a scheduled action sets minTasks above maxTasks', () => {
    const action = { name: 'peak', schedule: 'cron(0 8 * * ? *)', minTasks: 5, maxTasks: 4 };
    expect(problems(DEV, { services: { api: { scheduledScaling: [action] } } })).toEqual([
      `${FILE}: services.api.scheduledScaling.0.minTasks: expected at most maxTasks (4), got 5`,
    ]);
  });

  test('fails on a schedule that is not a schedule expression', () => {
    const action = { name: 'peak', schedule: '0 8 * * *', minTasks: 2, maxTasks: 4 };
    expect(problems(DEV, { services: { api: { scheduledScaling: [action] } } })).toEqual([
      `${FILE}: services.api.scheduledScaling.0.schedule: expected a schedule expression: cron(...), rate(N unit) or at(yyyy-mm-ddThh:mm:ss), got "0 8 * * *"`,
    ]);
  });
});

describe('routing', () => {
  test('fails when two services share a priority', () => {
    expect(problems(DEV, { services: { web: { ...WEB, routing: { priority: 100, pathPatterns: ['/app/*'] } } } })).toEqual([
      `${FILE}: services.web.routing.priority: expected a priority no other service uses (services.api has 100), got 100`,
    ]);
  });

  test("fails on priority 1, the load balancer's own rule for loadBalancer.internalPaths", () => {
    expect(problems(DEV, { services: { web: { ...WEB, routing: { priority: 1, pathPatterns: ['/app/*'] } } } })).toEqual([
      `${FILE}: services.web.routing.priority: expected an integer >= 2, got 1`,
    ]);
  });

  test('fails on more internal paths than a load-balancer rule takes, and on one that is not a path, all at once', () => {
    const tooMany = ['/a', '/b', '/c', '/d', '/e', '/f'];
    expect(problems(DEV, { loadBalancer: { internalPaths: tooMany } })).toEqual([
      `${FILE}: loadBalancer.internalPaths: expected at most 5 path patterns (a load balancer rule evaluates at most 5), got ${JSON.stringify(tooMany)}`,
    ]);
    expect(problems(DEV, { loadBalancer: { internalPaths: ['metrics', `/${'x'.repeat(128)}`] } })).toEqual([
      `${FILE}: loadBalancer.internalPaths.0: expected a path pattern starting with /, got "metrics"`,
      // A long value is shown shortened.
      expect.stringContaining(`${FILE}: loadBalancer.internalPaths.1: expected a path pattern of at most 128 characters, got "/xxxx`),
    ]);
  });

  test("fails on a service path pattern longer than a load balancer rule's 128 characters", () => {
    expect(problems(DEV, { services: { web: { ...WEB, routing: { priority: 50, pathPatterns: [`/${'a'.repeat(128)}`] } } } })).toEqual([
      expect.stringContaining(`${FILE}: services.web.routing.pathPatterns.0: expected a path pattern of at most 128 characters, got "/aaa`),
    ]);
  });

  test('fails when two services have the same routing rule', () => {
    expect(problems(DEV, { services: { web: { ...WEB, routing: { priority: 200, pathPatterns: ['/*'] } } } })).toEqual([
      expect.stringMatching(
        /^config\/environments\/test\.ts: services\.web\.routing: expected routing that differs from services\.api\.routing \(the same paths and hosts would never reach web\), got \{"priority":200,"pathPatterns":\["\/\*"\]\}$/,
      ),
    ]);
  });

  test('fails when a service has neither path patterns nor hosts', () => {
    expect(problems(DEV, { services: { web: { ...WEB, routing: { priority: 50 } } } })).toEqual([
      `${FILE}: services.web.routing: expected at least one of pathPatterns or hosts, so that some requests reach the service, got {"priority":50}`,
    ]);
  });

  test('fails on more conditions than a load-balancer rule takes', () => {
    const pathPatterns = ['/a/*', '/b/*', '/c/*', '/d/*', '/e/*', '/f/*'];
    expect(problems(DEV, { services: { web: { ...WEB, routing: { priority: 50, pathPatterns } } } })).toEqual([
      expect.stringContaining(
        `${FILE}: services.web.routing: expected at most 5 path patterns and hosts in total (a load-balancer rule limit)`,
      ),
    ]);
  });
});

describe('health checks', () => {
  test('fails on a health-check path that does not start with /', () => {
    expect(problems(DEV, { services: { api: { healthCheck: { path: 'health/live' } } } })).toEqual([
      `${FILE}: services.api.healthCheck.path: expected a path starting with /, got "health/live"`,
    ]);
  });

  test('fails when a probe may take as long as the interval between probes', () => {
    expect(problems(DEV, { services: { api: { healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } } } })).toEqual([
      `${FILE}: services.api.healthCheck.timeoutSeconds: expected less than healthCheck.intervalSeconds (5), got 5`,
    ]);
  });

  test('fails on a container health-check command that ECS would not run', () => {
    expect(problems(DEV, { services: { api: { containerHealthCheck: { command: ['curl', '-f', 'http://localhost/'] } } } })).toEqual([
      `${FILE}: services.api.containerHealthCheck.command: expected a command starting with "CMD" or "CMD-SHELL", got ["curl","-f","http://localhost/"]`,
    ]);
  });
});

describe('container', () => {
  test('fails on a root user', () => {
    expect(problems(DEV, { services: { api: { user: '0' } } })).toEqual([
      `${FILE}: services.api.user: expected a non-root numeric uid or uid:gid, such as 1000:1000, got "0"`,
    ]);
  });

  test('fails on a privileged port, which a non-root user cannot bind', () => {
    expect(problems(DEV, { services: { api: { port: 80 } } })).toEqual([`${FILE}: services.api.port: expected an integer >= 1024, got 80`]);
  });

  test('fails on an image directory without a Dockerfile', () => {
    expect(problems(DEV, { services: { api: { image: { source: 'directory', directory: 'docs' } } } })).toEqual([
      `${FILE}: services.api.image.directory: expected a directory, relative to the project root, that holds a Dockerfile, got "docs"`,
    ]);
  });

  test('fails on a misspelled field, suggesting the right one', () => {
    expect(problems(DEV, { services: { api: { healthcheck: { path: '/x' } } } })).toEqual([
      expect.stringMatching(
        /services\.api\.healthcheck: expected "healthCheck" or another known field .*, got the unknown field "healthcheck"$/,
      ),
    ]);
  });
});

describe('environment and secrets', () => {
  test('fails when config would redefine a variable the stack sets', () => {
    expect(problems(DEV, { services: { api: { environment: { DATABASE_WRITER_ENDPOINT: 'elsewhere' } } } })).toEqual([
      expect.stringMatching(
        /^config\/environments\/test\.ts: services\.api\.environment\.DATABASE_WRITER_ENDPOINT: expected a name the stack does not set itself \(.*DATABASE_\*.*\), got "elsewhere"$/,
      ),
    ]);
  });

  test('fails on a secret ARN among plain environment values', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:api-key-AbCdEf';
    expect(problems(DEV, { services: { api: { environment: { API_KEY: arn } } } })).toEqual([
      `${FILE}: services.api.environment.API_KEY: expected a plain value; reference secrets and parameters in secrets, got "${arn}"`,
    ]);
  });

  test('fails on a secret that is not a Secrets Manager or SSM ARN', () => {
    expect(problems(DEV, { services: { api: { secrets: { API_KEY: 'hunter2' } } } })).toEqual([
      expect.stringMatching(
        /^config\/environments\/test\.ts: services\.api\.secrets\.API_KEY: expected the ARN of a Secrets Manager secret .*, got "hunter2"$/,
      ),
    ]);
  });

  test('fails on a name in both environment and secrets', () => {
    const change = {
      services: {
        api: { environment: { TOKEN: 'x' }, secrets: { TOKEN: 'arn:aws:ssm:eu-west-1:111111111111:parameter/token' } },
      },
    };
    expect(problems(DEV, change)).toEqual([
      `${FILE}: services.api.secrets.TOKEN: expected a name not also in environment, got "arn:aws:ssm:eu-west-1:111111111111:parameter/token"`,
    ]);
  });
});

describe('load balancer', () => {
  test('fails on a certificate that is neither an ARN nor a domain with its zone', () => {
    expect(problems(DEV, { loadBalancer: { certificate: { arn: 'arn:aws:iam::111111111111:server-certificate/x' } } })).toEqual([
      expect.stringMatching(/^config\/environments\/test\.ts: loadBalancer\.certificate\.arn: expected an ARN of acm certificate/),
    ]);
    expect(
      problems(DEV, {
        loadBalancer: { certificate: { domainName: 'app.example.com', hostedZone: { id: 'example.com', name: 'example.com' } } },
      }),
    ).toEqual([expect.stringMatching(/loadBalancer\.certificate\.hostedZone\.id: expected a Route 53 hosted zone ID/)]);
  });

  test('fails on a desync mitigation mode that only monitors', () => {
    expect(problems(DEV, { loadBalancer: { desyncMitigationMode: 'monitor' } })).toEqual([
      `${FILE}: loadBalancer.desyncMitigationMode: expected one of "strictest", "defensive", got "monitor"`,
    ]);
  });
});

describe('production guard rails of the service tier', () => {
  test('fails when a production service may run fewer than 2 tasks', () => {
    expect(problems(prod, { services: { api: { tasks: { desired: 1, min: 1, max: 12 } } } })).toEqual([
      `${FILE}: services.api.tasks.min: expected at least 2 tasks in a production environment, got 1`,
    ]);
  });

  test('fails when a production schedule scales a service below 2 tasks', () => {
    const night = { name: 'night', schedule: 'cron(0 22 * * ? *)', minTasks: 1, maxTasks: 12 };
    expect(problems(prod, { services: { api: { scheduledScaling: [night] } } })).toEqual([
      `${FILE}: services.api.scheduledScaling.0.minTasks: expected at least 2 tasks in a production environment, got 1`,
    ]);
  });

  test('fails when production has no certificate, no WAF or no deletion protection', () => {
    const noCertificate = { ...prod, loadBalancer: { ...prod.loadBalancer, certificate: undefined } };
    expect(problems(noCertificate, { loadBalancer: { waf: false, deletionProtection: false } })).toEqual([
      `${FILE}: loadBalancer.certificate: expected a certificate in a production environment (it would serve plain HTTP), got nothing (the field is missing)`,
      `${FILE}: loadBalancer.waf: expected true in a production environment, got false`,
      `${FILE}: loadBalancer.deletionProtection: expected true in a production environment, got false`,
    ]);
  });

  test('a non-production environment may run one task over plain HTTP without WAF', () => {
    expect(problems(DEV, {})).toEqual([]);
    const { loadBalancer } = resolveConfig('test', deepMerge(dev, {}));
    expect(loadBalancer.waf).toBe(false);
    expect(loadBalancer.certificate).toBeUndefined();
  });
});

describe('database identity and cache tiers', () => {
  test('a service defaults to read-write database access and every cache tier', () => {
    const api = resolveConfig('dev', DEV).services.api;
    expect(api.database).toEqual({ access: 'read-write' });
    expect(api.cacheTiers).toBeUndefined();
  });

  test('fails when two services map to one database user', () => {
    expect(problems(DEV, { services: { 'api-reader': { ...WEB } } })).toContainEqual(
      expect.stringMatching(
        /services\.api-reader: expected a service name whose database user \(api_reader\) differs from those of service api, got /,
      ),
    );
  });

  test('fails when a service would log in as the master user or a reserved role', () => {
    const out = problems(DEV, {
      services: { 'postgres-admin': { ...WEB }, 'rds-tools': { ...WEB, routing: { priority: 51, pathPatterns: ['/rds/*'] } } },
    });
    expect(out).toContainEqual(
      expect.stringMatching(
        /services\.postgres-admin: expected a service name whose database user \(postgres_admin\) is not the master user/,
      ),
    );
    expect(out).toContainEqual(expect.stringMatching(/services\.rds-tools: expected a service name whose database user \(rds_tools\)/));
  });

  test('a service with database access none takes no user name', () => {
    expect(problems(DEV, { services: { 'api-reader': { ...WEB, database: { access: 'none' } } } })).toEqual([]);
  });

  test('fails on an unknown access and a cache tier that does not exist', () => {
    expect(problems(DEV, { services: { api: { database: { access: 'admin' }, cacheTiers: ['hot', 'sessions'] } } })).toEqual([
      `${FILE}: services.api.database.access: expected one of "read-write", "read-only", "none", got "admin"`,
      `${FILE}: services.api.cacheTiers.1: expected one of the tiers in cache.tiers (critical, hot), got "sessions"`,
    ]);
  });
});
