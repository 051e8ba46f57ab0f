import type { EnvironmentOverrides } from '../load';

/** Production's shape at a smaller size: the same guard rails, fewer NAT gateways. */
export default {
  environment: {
    production: false,
    account: '222222222222',
    region: 'eu-west-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  },
  network: {
    cidr: '10.20.0.0/16',
    natGateways: 1,
  },
  database: {
    readReplicas: 1,
  },
  cache: {
    tiers: {
      critical: { nodeType: 'cache.m7g.large' },
      hot: { nodeType: 'cache.m7g.large' },
    },
  },
  // Production's protection without the lock: the copy and the restore tests are rehearsed here first.
  recovery: {
    objectives: { regionLoss: { rpoMinutes: 1_560, rtoMinutes: 180 } },
    crossRegionCopy: { region: 'eu-central-1' },
  },
  // Rehearses production's rollout: a canary behind the same pre-traffic hook.
  services: {
    api: { deployment: { strategy: 'canary', preTrafficHook: { path: '/health/ready' } } },
  },
  loadBalancer: {
    certificate: { arn: 'arn:aws:acm:eu-west-1:222222222222:certificate/00000000-0000-4000-8000-000000000000' },
  },
} satisfies EnvironmentOverrides;
