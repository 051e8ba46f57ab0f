/**
 * The AWS Control Tower proactive controls (CloudFormation Guard rules bundled with, and run by the cfn-guard
 * binary of, `@cdklabs/cdk-validator-cfnguard`) as a CDK policy-validation plugin, with two changes to how
 * that package's `CfnGuardValidator` is called:
 *
 * - Each template is checked only against the controls that evaluate a resource type it contains (the
 *   control's own metadata, `EvaluatedResourceTypes`). Every Control Tower control skips a template without
 *   such a resource (test/guard-validator.test.ts reads that from every rule file), but cfn-guard still works
 *   through the template once per rule file: 237 rule files times prod's 4 templates took about 70 CPU seconds;
 *   the ~100 applicable pairs add 10 to 14 CPU seconds to a synth of prod (both measured on a loaded machine).
 *   An organization's own rules (`rules`) are not pruned: they run against every template.
 * - Violations of a Control Tower control are named by its control ID (`CT.S3.PR.10`), the name Control
 *   Tower's console, documentation and deploy-time refusals use, rather than the Guard rule's internal name.
 *   So an acknowledgement reads `cfn-guard::CT.S3.PR.10` (see `acknowledge` in compliance.ts).
 *
 * Optionally (`resultCacheDir`), cfn-guard's findings for
 * a template are kept in a content-addressed cache, keyed by everything cfn-guard's answer depends on: the
 * template's bytes, each rule file's path and bytes, the cfn-guard binary's bytes and the package's version and
 * code. The same inputs give the same findings, so a hit returns what cfn-guard would; any change to a template
 * or a rule is a miss. The test suite uses it (`GUARD_RESULT_CACHE_DIR`, which bin/app.ts reads): its many
 * syntheses repeat the same templates, and each miss costs seconds of CPU.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/** The plugin's name: the namespace of its rule IDs in `Validations.acknowledge` and the validation report. */
export const GUARD_PLUGIN_NAME = 'cfn-guard';

const PACKAGE_DIR = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const CONTROL_TOWER_DIR = path.join(PACKAGE_DIR, 'rules', 'control-tower');

/** One Control Tower proactive control as the package ships it. */
export interface ControlTowerControl {
  /** Control ID, e.g. `CT.LAMBDA.PR.3`. */
  readonly id: string;
  /** The Guard rule's name inside its file, e.g. `lambda_inside_vpc_check`. */
  readonly guardRuleName: string;
  /** The `.guard` file. */
  readonly file: string;
  /** The resource types the control reports on. */
  readonly evaluatedResourceTypes: readonly string[];
}

let controls: Map<string, ControlTowerControl> | undefined;

/** Every bundled Control Tower control, by control ID, read from the package's rule and metadata files. */
export function controlTowerControls(): ReadonlyMap<string, ControlTowerControl> {
  if (controls) return controls;
  controls = new Map();
  const guardDir = path.join(CONTROL_TOWER_DIR, 'cfn-guard');
  for (const service of fs.readdirSync(guardDir)) {
    for (const fileName of fs.readdirSync(path.join(guardDir, service))) {
      const stem = path.basename(fileName, '.guard');
      const file = path.join(guardDir, service, fileName);
      const metadataFile = path.join(CONTROL_TOWER_DIR, 'metadata', service, `${stem}.metadata.json`);
      const metadata = JSON.parse(fs.readFileSync(metadataFile, 'utf8')) as { Id: string; EvaluatedResourceTypes: string[] };
      const guardRuleName = /^rule\s+(\w+)\s+when\b/m.exec(fs.readFileSync(file, 'utf8'))?.[1];
      if (!guardRuleName) throw new Error(`No primary rule found in ${file}: the layout of @cdklabs/cdk-validator-cfnguard changed`);
      controls.set(metadata.Id, { id: metadata.Id, guardRuleName, file, evaluatedResourceTypes: metadata.EvaluatedResourceTypes });
    }
  }
  return controls;
}

export interface ControlTowerGuardProps {
  /**
   * Files or directories of an organization's own Guard rules, run against every template beside the
   * Control Tower controls. A directory must hold Guard rule files only.
   * @default - no rules of your own
   */
  readonly rules?: readonly string[];
  /**
   * Control IDs (`CT.S3.PR.9`) not to run at all, e.g. controls your organization does not enable. Prefer an
   * acknowledgement on a resource: a disabled control no longer sees resources added later.
   * @default - every bundled control runs
   */
  readonly disabledControls?: readonly string[];
  /**
   * Check each template against every bundled control, not only those evaluating a resource type it contains.
   * The result is the same (a control without such a resource skips); this exists to show that, at ten times the cost.
   * @default false
   */
  readonly allControls?: boolean;
  /**
   * A directory for the content-addressed cache of cfn-guard's findings per template (created when missing).
   * @default - no cache: cfn-guard runs every time
   */
  readonly resultCacheDir?: string;
}

/** Control Tower proactive controls (plus an organization's own Guard rules) as a CDK validation plugin. */
export class ControlTowerGuard implements IPolicyValidationPlugin {
  public readonly name = GUARD_PLUGIN_NAME;
  public readonly version: string;
  public readonly ruleIds: string[];
  private readonly rules: readonly string[];
  private readonly controls: readonly ControlTowerControl[];
  private readonly allControls: boolean;
  private readonly resultCacheDir: string | undefined;

  constructor(props: ControlTowerGuardProps = {}) {
    const all = controlTowerControls();
    const unknown = (props.disabledControls ?? []).filter((id) => !all.has(id));
    if (unknown.length > 0) throw new Error(`Unknown Control Tower control ID(s) in disabledControls: ${unknown.join(', ')}`);
    const missing = (props.rules ?? []).filter((r) => !fs.existsSync(r));
    if (missing.length > 0) throw new Error(`Guard rules path(s) not found: ${missing.join(', ')}`);
    this.controls = [...all.values()].filter((c) => !props.disabledControls?.includes(c.id));
    this.rules = props.rules ?? [];
    this.allControls = props.allControls ?? false;
    this.resultCacheDir = props.resultCacheDir;
    this.ruleIds = this.controls.map((c) => c.id);
    this.version = (JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = [];
    for (const templatePath of context.templatePaths) {
      const rules = [...this.controlsFor(templatePath).map((c) => c.file), ...this.rules];
      if (rules.length === 0) continue;
      const found = this.resultCacheDir
        ? cachedGuardRun(this.resultCacheDir, templatePath, rules, () => runGuard(context, templatePath, rules))
        : runGuard(context, templatePath, rules);
      // An explicit severity: once any finding of a report is acknowledged, CDK recomputes the report's success
      // from the severities of the rest, and a violation without one would then count as passing.
      violations.push(...found.map((v) => ({ ...v, ruleName: controlId(v.description) ?? v.ruleName, severity: 'error' })));
    }
    return { success: violations.length === 0, violations };
  }

  private controlsFor(templatePath: string): readonly ControlTowerControl[] {
    if (this.allControls) return this.controls;
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as { Resources?: Record<string, { Type: string }> };
    const types = new Set(Object.values(template.Resources ?? {}).map((r) => r.Type));
    return this.controls.filter((c) => c.evaluatedResourceTypes.some((t) => types.has(t)));
  }
}

/** cfn-guard's findings for one template against the given rule files. */
function runGuard(context: IPolicyValidationContext, templatePath: string, rules: readonly string[]): PolicyViolation[] {
  // cfn-guard writes one JSON document for all results; the 1 MB default buffer is too small for a failing prod.
  const guard = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [...rules], maxBuffer: 64 * 1024 * 1024 });
  return guard.validate({ ...context, templatePaths: [templatePath] }).violations;
}

/** Bumped when the layout of a cache entry changes. */
const CACHE_FORMAT = 'guard-result-cache/1';
let engineDigest: string | undefined;

/** What cfn-guard's answer depends on besides template and rules: the binary, the package's version and its code. */
function guardEngineDigest(): string {
  if (engineDigest) return engineDigest;
  const hash = crypto.createHash('sha256').update(CACHE_FORMAT);
  // The binary the package runs here (its own choice, by platform and architecture); every binary it ships when
  // that guess does not find one.
  const platform = { linux: 'ubuntu', darwin: 'macos' }[process.platform as string] ?? process.platform;
  const architecture = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as string] ?? process.arch;
  const binary = path.join(PACKAGE_DIR, 'bin', platform, architecture, 'cfn-guard');
  for (const file of fs.existsSync(binary) ? [binary] : ruleFiles(path.join(PACKAGE_DIR, 'bin'))) hash.update(fs.readFileSync(file));
  hash.update(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json')));
  const libDir = path.join(PACKAGE_DIR, 'lib');
  const code = fs.readdirSync(libDir).filter((f) => f.endsWith('.js'));
  for (const file of code.sort()) hash.update(file).update(fs.readFileSync(path.join(libDir, file)));
  engineDigest = hash.digest('hex');
  return engineDigest;
}

/** Every file a path stands for (a directory: the files under it), in a stable order. */
function ruleFiles(rulesPath: string): string[] {
  if (!fs.statSync(rulesPath).isDirectory()) return [rulesPath];
  return fs
    .readdirSync(rulesPath)
    .sort()
    .flatMap((entry) => ruleFiles(path.join(rulesPath, entry)));
}

/**
 * cfn-guard's findings from the cache when the same template bytes were checked against the same rule files by
 * the same engine; otherwise runs it and stores the findings. A finding names the template's path, which differs
 * between syntheses: it is stored without it and given this template's path on the way out.
 */
function cachedGuardRun(cacheDir: string, templatePath: string, rules: readonly string[], run: () => PolicyViolation[]): PolicyViolation[] {
  const hash = crypto.createHash('sha256').update(guardEngineDigest()).update('\0template\0').update(fs.readFileSync(templatePath));
  // The order of the rules as cfn-guard receives them, each path (named in findings) with its content.
  for (const rulesPath of rules) {
    hash.update('\0rules\0').update(rulesPath);
    for (const file of ruleFiles(rulesPath)) hash.update('\0file\0').update(file).update('\0').update(fs.readFileSync(file));
  }
  const entry = path.join(cacheDir, `${hash.digest('hex')}.json`);
  try {
    const stored = JSON.parse(fs.readFileSync(entry, 'utf8')) as PolicyViolation[];
    return stored.map((v) => ({ ...v, violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath })) }));
  } catch {
    // Missing or unreadable (e.g. cut short by a crash): a miss.
  }
  const violations = run();
  // Only findings that name this template by the path it was given are stored: anything else would not be
  // reproduced by the substitution above.
  if (violations.some((v) => v.violatingResources.some((r) => r.templatePath !== templatePath))) return violations;
  const stored = violations.map((v) => ({ ...v, violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath: '' })) }));
  fs.mkdirSync(cacheDir, { recursive: true });
  // Written whole under a temporary name, then renamed: a concurrent reader sees the entry complete or not at all.
  const temporary = `${entry}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(stored));
  fs.renameSync(temporary, entry);
  return violations;
}

/** Control Tower rules start their message with the control ID: `[CT.S3.PR.10]: Require ...`. */
function controlId(description: string): string | undefined {
  return /^\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/.exec(description)?.[1];
}
