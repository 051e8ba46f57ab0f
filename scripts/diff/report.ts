/**
 * Renders a DiffReport: for a terminal (the CDK-style diff per stack, then the verdict) and as Markdown for a
 * pull-request comment (the verdict and the destructive list first, the full diff folded away).
 */
import { money, rangeText, renderCostMarkdown, renderCostText } from '../cost/report';
import { CHANGE_KINDS, countByKind, type ResourceChange, type SecurityChange, stripAnsi } from './classify';
import type { DiffReport, Finding, PlanFinding, StackReport } from './engine';
import type { TrafficImpact } from './traffic';
import type { Revision } from './synth';

/** Marks the comment the pull-request workflow owns, so that it updates that one comment. */
export const COMMENT_MARKER = '<!-- offline-cdk-diff -->';

/**
 * GitHub rejects comments over 65,536 characters; the full diff of a new environment can exceed that, so
 * the collapsible diffs are cut to what fits and the reader is pointed to the command.
 */
export const MARKDOWN_LIMIT = 60_000;

export interface RenderOptions {
  /** The base revision, named in headings and in the command to rerun. */
  readonly revision: Revision;
  /** The allow-list file in use, if any, to name it in the verdict. */
  readonly allowFile?: string;
}

/** The terminal rendering: every stack's diff, then destructive and security changes, then the verdict. */
export function renderText(report: DiffReport, options: RenderOptions): string {
  const out: string[] = [`Offline diff: ${label(options.revision)} → working tree`, ''];
  for (const env of report.environments) {
    out.push(`=== Environment ${env.name}${env.status === 'compared' ? '' : ` (${env.status})`} ===`);
    for (const stack of env.stacks) {
      out.push(`Stack ${stack.stack}${stackNote(stack)}`);
      if (stack.status === 'removed') out.push(REMOVED_STACK_NOTE);
      else if (!stack.text) out.push('There were no differences');
      else out.push(stack.text.trimEnd());
      out.push('');
    }
  }
  out.push('=== Summary ===');
  for (const env of report.environments) {
    for (const stack of env.stacks) out.push(`${env.name}  ${stack.stack}: ${summarizeCounts(stack)}`);
  }
  out.push('');
  const cost = renderCostText(report.cost);
  if (cost.length > 0) out.push(...cost, '');
  const rollouts = rolloutEntries(report);
  if (rollouts.length > 0) {
    out.push('Deployment strategy changes (modelled end-to-end time of one deployment, docs/services.md):');
    for (const line of rollouts) out.push(`  ${line}`);
    out.push('');
  }
  if (report.findings.length > 0) {
    out.push(`Stateful resources replaced or removed (${report.findings.length}):`);
    for (const finding of report.findings) out.push(`  ${findingLine(finding)}`);
    out.push('');
  }
  if (report.hazards.length > 0) {
    out.push(`Deploy-plan hazards (${report.hazards.length}):`);
    for (const h of report.hazards) {
      out.push(`  ${h.allowedBy ? 'ALLOWED' : 'BLOCKED'} ${hazardTitle(h)}: ${h.hazard.why}`);
      for (const step of h.hazard.safeWay) out.push(`      ${step}`);
      if (h.allowedBy) out.push(`      allowed: ${h.allowedBy.reason}`);
    }
    out.push('');
  }
  const traffic = trafficEntries(report);
  if (traffic.length > 0) {
    out.push('What the change does to running traffic:');
    for (const { env, stack, impact } of traffic) {
      for (const p of impact.properties) {
        out.push(`  ${env} ${stack} ${impact.logicalId} ${p.property}: ${p.row ? `${p.row.effect} (${p.row.duration})` : 'not modelled'}`);
      }
    }
    out.push('');
  }
  const security = securityEntries(report);
  if (security.length > 0) {
    out.push('Security-relevant changes:');
    for (const { env, stack, change } of security) out.push(`  ${env} ${stack}: ${securityTitle(change)} (the tables above)`);
    out.push('');
  }
  for (const unused of report.unusedAllowances) {
    out.push(
      `Note: allow-list entry ${unused.env} ${unused.stack} ${unused.logicalId} matches no change; remove it once its change has shipped.`,
    );
  }
  out.push(verdict(report, options));
  return `${out.join('\n')}\n`;
}

/** `prod ScaledApp-prod-Service ApiService…: rolling: about 1 min 50 s → canary 10% for 10 min, …` */
function rolloutEntries(report: DiffReport): string[] {
  return report.environments.flatMap((env) =>
    env.stacks.flatMap((stack) =>
      (stack.rollouts ?? []).map((r) => `${env.name} ${stack.stack} ${r.logicalId}: ${r.before ? `${r.before} → ` : ''}${r.after}`),
    ),
  );
}

/** The Markdown rendering for a pull-request comment, at most MARKDOWN_LIMIT characters. */
export function renderMarkdown(report: DiffReport, options: RenderOptions): string {
  const head: string[] = [
    COMMENT_MARKER,
    `## Offline CDK diff: \`${label(options.revision)}\` → this branch`,
    '',
    `**${verdict(report, options)}**`,
    '',
  ];
  head.push(...renderCostMarkdown(report.cost));
  const rollouts = rolloutEntries(report);
  if (rollouts.length > 0) {
    head.push('### Deployment strategy changes (modelled time of one deployment)', '', ...rollouts.map((line) => `- ${line}`), '');
  }

  if (report.findings.length > 0) {
    head.push('### Stateful resources replaced or removed', '');
    head.push('| | Environment | Stack | Logical ID | Type | Change | Why |', '|---|---|---|---|---|---|---|');
    for (const f of report.findings) {
      head.push(
        `| ${f.allowedBy ? '✅ allowed' : '❌'} | ${f.env} | ${f.stack} | \`${f.change.logicalId}\` | ${f.change.type} | ${kindText(f.change)} | ${cell(findingWhy(f))} |`,
      );
    }
    head.push('');
  }

  if (report.hazards.length > 0) {
    head.push('### Deploy-plan hazards', '');
    head.push(
      '| | Kind | Environment | Stack (change) | Logical ID | Read by | What goes wrong | Safe way through |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const h of report.hazards) {
      const c = h.hazard.consumer;
      head.push(
        `| ${h.allowedBy ? '✅ allowed' : '❌'} | ${HAZARD_NAMES[h.hazard.kind]} | ${h.hazard.env} | ${h.hazard.stack} | \`${h.hazard.logicalId}\` (${h.hazard.type}) | ${c ? `${c.stack}: ${c.logicalIds.map((id) => `\`${id}\``).join(', ')}` : ''} | ${cell(h.hazard.why)} | ${cell(h.hazard.safeWay.join(' '))}${h.allowedBy ? ` (allowed: ${cell(h.allowedBy.reason)})` : ''} |`,
      );
    }
    head.push('');
  }

  const traffic = trafficEntries(report);
  if (traffic.length > 0) {
    head.push('### What the change does to running traffic', '');
    head.push('| Environment | Stack | Logical ID | Property | Effect | Modelled duration | Source |', '|---|---|---|---|---|---|---|');
    for (const { env, stack, impact } of traffic) {
      for (const p of impact.properties) {
        head.push(
          `| ${env} | ${stack} | \`${impact.logicalId}\` | ${p.property} | ${p.row ? EFFECT_NAMES[p.row.effect] : '⚠️ not modelled'} | ${p.row ? cell(p.row.duration) : ''} | ${p.row ? `[AWS docs](${p.row.link})` : ''} |`,
        );
      }
    }
    head.push('');
  }

  const security = securityEntries(report);
  if (security.length > 0) {
    head.push('### Security-relevant changes', '');
    for (const { env, stack, change } of security) {
      head.push(`**${env} / ${stack}**: ${securityTitle(change)}`, '');
      const [header, ...rows] = change.table;
      if (header) {
        head.push(`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
        for (const row of rows) head.push(`| ${row.map(cell).join(' | ')} |`);
      }
      head.push('');
    }
  }

  head.push('### Changes by stack', '');
  head.push(`| Environment | Stack | ${CHANGE_KINDS.join(' | ')} |`, `|---|---|${CHANGE_KINDS.map(() => '---:').join('|')}|`);
  for (const env of report.environments) {
    for (const stack of env.stacks) {
      const counts = countByKind(stack.changes);
      const name = `${stack.stack}${stackNote(stack)}`;
      head.push(
        `| ${env.name}${env.status === 'compared' ? '' : ` (${env.status})`} | ${name} | ${CHANGE_KINDS.map((k) => counts[k] || '').join(' | ')} |`,
      );
    }
  }
  head.push('');
  for (const unused of report.unusedAllowances) {
    head.push(
      `> Allow-list entry \`${unused.env} ${unused.stack} ${unused.logicalId}\` matches no change; remove it once its change has shipped.`,
      '',
    );
  }

  let body = head.join('\n');
  const footer = '\n_Synthesized offline (no AWS credentials) by `npm run diff`; the deployed stacks may differ from the base revision._\n';
  const details = report.environments.flatMap((env) => env.stacks.filter((s) => s.text));
  if (details.length > 0) body += '\n### Full diff\n';
  for (const stack of details) {
    const text = stripAnsi(stack.text).trimEnd();
    const summary = `<summary>${stack.env} / ${stack.stack}: ${summarizeCounts(stack)}</summary>`;
    const room = MARKDOWN_LIMIT - body.length - footer.length - summary.length - 200;
    const shown =
      text.length <= room
        ? text
        : `${text.slice(0, Math.max(0, room - 200))}\n… cut to fit a comment: run \`npm run diff -- --base ${options.revision.ref} --env ${stack.env}\``;
    const fence = '`'.repeat(Math.max(3, longestRun(shown, '`') + 1));
    body += `\n<details>${summary}\n\n${fence}diff\n${shown}\n${fence}\n\n</details>\n`;
  }
  return body + footer;
}

const REMOVED_STACK_NOTE =
  'The stack is no longer in the app. `cdk deploy` leaves it (and its resources) in place: deleting it takes an explicit `cdk destroy`.';

function stackNote(stack: StackReport): string {
  return stack.status === 'added' ? ' (new stack)' : stack.status === 'removed' ? ' (removed from the app)' : '';
}

function summarizeCounts(stack: StackReport): string {
  if (stack.status === 'removed') return 'removed from the app (not deleted by deploy)';
  const counts = countByKind(stack.changes);
  const parts = CHANGE_KINDS.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  if (parts.length > 0) return parts.join(', ');
  return stack.text ? 'changes outside resources only' : 'no changes';
}

function kindText(change: ResourceChange): string {
  return change.kind === 'removed' && change.retained ? 'removed (retained, orphaned)' : change.kind;
}

function findingWhy(f: Finding): string {
  const c = f.change;
  const parts: string[] = [];
  if (c.path) parts.push(c.path);
  if (c.replacingProperties.length > 0) parts.push(`changed: ${c.replacingProperties.join(', ')}`);
  if (c.addedSameType.length > 0) {
    parts.push(`added in its place: ${c.addedSameType.join(', ')}; a renamed construct ID replaces the resource and loses its data`);
  }
  if (f.allowedBy) parts.push(`allowed: ${f.allowedBy.reason}`);
  return parts.join('; ');
}

function findingLine(f: Finding): string {
  const mark = f.allowedBy ? 'ALLOWED' : 'BLOCKED';
  return `${mark} ${f.env} ${f.stack} ${f.change.logicalId} (${f.change.type}) ${kindText(f.change)}${findingWhy(f) ? `: ${findingWhy(f)}` : ''}`;
}

const HAZARD_NAMES: Record<PlanFinding['hazard']['kind'], string> = {
  'stale-consumer': 'stale consumer',
  'in-use-deletion': 'in-use deletion',
  'export-lock': 'export lock',
  'engine-version': 'engine version',
};

const EFFECT_NAMES = { none: 'no interruption', brief: 'brief interruption', restart: 'restart' } as const;

function hazardTitle(h: PlanFinding): string {
  const { kind, env, stack, logicalId, consumer } = h.hazard;
  return `${HAZARD_NAMES[kind]} ${env} ${stack} ${logicalId}${consumer ? ` (read by ${consumer.stack}: ${consumer.logicalIds.join(', ')})` : ''}`;
}

function trafficEntries(report: DiffReport): { env: string; stack: string; impact: TrafficImpact }[] {
  return report.environments.flatMap((env) =>
    env.stacks.flatMap((stack) => stack.traffic.map((impact) => ({ env: env.name, stack: stack.stack, impact }))),
  );
}

function securityEntries(report: DiffReport): { env: string; stack: string; change: SecurityChange }[] {
  return report.environments.flatMap((env) =>
    env.stacks.flatMap((stack) => stack.security.map((change) => ({ env: env.name, stack: stack.stack, change }))),
  );
}

function securityTitle(change: SecurityChange): string {
  const what = {
    'iam-statement': 'IAM statements',
    'managed-policy': 'managed-policy attachments',
    'security-group': 'security-group rules',
  }[change.kind];
  const counts = `${change.added} added, ${change.removed} removed`;
  return change.broadened ? `${what} broadened: ${counts}` : `${what} narrowed: ${counts}`;
}

function verdict(report: DiffReport, options: RenderOptions): string {
  const overBudget = report.cost.filter((c) => c.overBudget);
  const unpriced = report.cost.flatMap((c) => c.unpriced.map((p) => `${c.env}: ${p}`));
  const budgetNote =
    overBudget.length > 0
      ? ` Over budget: ${overBudget.map((c) => `${c.env} would cost ${rangeText(c.totalAfter)} a month, above its cost.monthlyBudget of ${money(c.monthlyBudget!)}`).join('; ')}.`
      : '';
  const unpricedNote = unpriced.length > 0 ? ` Not priced, so missing from the cost: ${unpriced.join('; ')}.` : '';
  return verdictWithoutBudget(report, options, overBudget.length > 0, unpriced.length > 0) + budgetNote + unpricedNote;
}

function verdictWithoutBudget(report: DiffReport, options: RenderOptions, overBudget: boolean, unpriced: boolean): string {
  const blocked = report.findings.filter((f) => !f.allowedBy);
  const blockedHazards = report.hazards.filter((h) => !h.allowedBy);
  const allowed = report.findings.length - blocked.length + report.hazards.length - blockedHazards.length;
  const allowedNote = allowed > 0 ? ` (${allowed} allowed by ${options.allowFile ?? 'the allow-list'})` : '';
  if (blockedHazards.length > 0) {
    const also = blocked.length > 0 ? ` and ${blocked.length} stateful resource${blocked.length === 1 ? '' : 's'} replaced or removed` : '';
    return `BLOCKED: ${blockedHazards.length} deploy-plan hazard${blockedHazards.length === 1 ? '' : 's'}${also}${allowedNote}. Follow the safe way through listed for each, or add a reviewed entry to ${options.allowFile ?? '.diff-allow.json'}.`;
  }
  if (blocked.length > 0) {
    return `BLOCKED: ${blocked.length} stateful resource${blocked.length === 1 ? '' : 's'} would be replaced or removed${allowedNote}. Keep the construct ID, or add a reviewed entry to ${options.allowFile ?? '.diff-allow.json'}.`;
  }
  if (overBudget)
    return 'BLOCKED: the change takes the monthly cost above the budget; lower the cost, or raise cost.monthlyBudget in review.';
  if (unpriced) return 'BLOCKED: the change cannot be priced; add the missing prices to config/prices (docs/cost.md).';
  const changed = report.environments.some((e) => e.status !== 'compared' || e.stacks.some((s) => s.status !== 'unchanged'));
  return changed ? `SAFE: no stateful resource is replaced or removed, no deploy-plan hazard${allowedNote}.` : 'SAFE: no changes.';
}

function label(revision: Revision): string {
  return `${revision.ref} (${revision.commit.slice(0, 12)})`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
