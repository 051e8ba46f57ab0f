/**
 * What an Application Load Balancer listener does with a request, read from a synthesized template the way the load
 * balancer evaluates it: the listener's rules in priority order, lowest first; the first whose conditions all match
 * wins; with none, the listener's default action. Path patterns are case-sensitive and match the whole path (no query
 * string); host headers are not case-sensitive; in both, `*` matches any run of characters (none included) and `?`
 * exactly one (Elastic Load Balancing's documentation, "Listener rules for your Application Load Balancer").
 *
 * Only path-pattern and host-header conditions are read: a rule with any other condition fails the evaluation rather
 * than being guessed at.
 */
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

interface Action {
  readonly Type: string;
  readonly FixedResponseConfig?: { readonly StatusCode: string };
  readonly ForwardConfig?: { readonly TargetGroups: readonly { readonly TargetGroupArn: { Ref: string }; readonly Weight?: number }[] };
  readonly TargetGroupArn?: { Ref: string };
}

interface Condition {
  readonly Field: string;
  readonly PathPatternConfig?: { readonly Values: readonly string[] };
  readonly HostHeaderConfig?: { readonly Values: readonly string[] };
}

/** What the listener does: answers itself, forwards to target groups (logical IDs, weight above 0), or redirects. */
export type ListenerOutcome =
  | { readonly action: 'fixed-response'; readonly status: number; readonly rule: string }
  | { readonly action: 'forward'; readonly targetGroups: readonly string[]; readonly rule: string }
  | { readonly action: 'redirect'; readonly rule: string };

function wildcard(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

function matches(condition: Condition, request: { path: string; host: string }): boolean {
  if (condition.Field === 'path-pattern') return condition.PathPatternConfig!.Values.some((p) => wildcard(p, '').test(request.path));
  if (condition.Field === 'host-header') return condition.HostHeaderConfig!.Values.some((h) => wildcard(h, 'i').test(request.host));
  throw new Error(`alb-rules: a ${condition.Field} condition is not evaluated here`);
}

function outcome(actions: readonly Action[], rule: string): ListenerOutcome {
  const [action] = actions;
  if (action.Type === 'fixed-response') return { action: 'fixed-response', status: Number(action.FixedResponseConfig!.StatusCode), rule };
  if (action.Type === 'redirect') return { action: 'redirect', rule };
  if (action.Type === 'forward') {
    const groups = action.ForwardConfig
      ? action.ForwardConfig.TargetGroups.filter((g) => (g.Weight ?? 1) > 0).map((g) => g.TargetGroupArn.Ref)
      : [action.TargetGroupArn!.Ref];
    return { action: 'forward', targetGroups: groups, rule };
  }
  throw new Error(`alb-rules: a ${action.Type} action is not evaluated here`);
}

/** The outcome of `request` on the listener `listenerId` (a logical ID) of `template`. */
export function evaluateListener(
  template: { Resources?: Record<string, Resource> },
  listenerId: string,
  request: { path: string; host?: string },
): ListenerOutcome {
  const resources = template.Resources ?? {};
  const listener = resources[listenerId];
  if (listener?.Type !== 'AWS::ElasticLoadBalancingV2::Listener') throw new Error(`alb-rules: ${listenerId} is not a listener`);
  const req = { path: request.path, host: request.host ?? 'example-alb.elb.amazonaws.com' };
  const rules = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
    .filter(([, r]) => (r.Properties!.ListenerArn as { Ref?: string }).Ref === listenerId)
    .sort(([, a], [, b]) => (a.Properties!.Priority as number) - (b.Properties!.Priority as number));
  for (const [id, rule] of rules) {
    if ((rule.Properties!.Conditions as Condition[]).every((c) => matches(c, req)))
      return outcome(rule.Properties!.Actions as Action[], id);
  }
  return outcome(listener.Properties!.DefaultActions as Action[], `${listenerId} (default)`);
}
