/**
 * A result cache for aws-cdk-lib's own template validator, for the test suite.
 *
 * Since 2.27x, aws-cdk-lib validates every template in every synth with `CloudFormationValidatePlugin` (the
 * resource types' schemas and CDK's Rego rules, run in WebAssembly) unless it is turned off. Its findings are in
 * the validation report beside the compliance packs' (test/environments.test.ts requires none), and errors fail
 * the synth. In one synth of prod it takes about 4.4 s of CPU: most of a synth without the compliance packs.
 *
 * `CachedCloudFormationValidate` is that plugin, answering from a content-addressed cache: the key is everything
 * its answer for one template depends on (the template's bytes; its stack's construct path, account and region,
 * which the plugin passes to the validator; the validator's version; aws-cdk-lib's version, which fixes the
 * bundled rules and the rules it ignores). The rules the plugin loads depend on the resource types of all the
 * templates it is given, but each rule only judges resources of its own types, so one template's findings do not
 * depend on the others. Registered on the app, it replaces the default instance (aws-cdk-lib allows one). Only
 * where a cache directory is configured (`applyCompliance`, from `GUARD_RESULT_CACHE_DIR`, which only the test
 * suite sets); `cdk synth` runs the default plugin.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationValidatePlugin,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  type PolicyViolation,
} from 'aws-cdk-lib';

/** Bumped when the layout of a cache entry changes. */
const CACHE_FORMAT = 'cloudformation-validate-cache/1';
const CDK_VERSION = (JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')) as { version: string }).version;

export class CachedCloudFormationValidate extends CloudFormationValidatePlugin {
  /** One per cache directory and process, as aws-cdk-lib keeps one default instance: its engine is reused. */
  public static forDirectory(cacheDir: string): CachedCloudFormationValidate {
    let plugin = instances.get(cacheDir);
    if (!plugin) instances.set(cacheDir, (plugin = new CachedCloudFormationValidate(cacheDir)));
    return plugin;
  }

  private constructor(private readonly cacheDir: string) {
    super();
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const found = new Map<string, PolicyViolation[]>();
    const missing = context.stackTemplates.filter((stack) => {
      const hit = this.read(stack);
      if (hit) found.set(stack.templatePath, hit);
      return !hit;
    });
    if (missing.length > 0) {
      const report = super.validate({ ...context, templatePaths: missing.map((s) => s.templatePath), stackTemplates: missing });
      for (const stack of missing) found.set(stack.templatePath, this.store(stack, forTemplate(report.violations, stack.templatePath)));
    }
    // Merged as the plugin merges: one violation per rule, severity and description, its resources in template order.
    const violations: PolicyViolation[] = [];
    for (const stack of context.stackTemplates) {
      for (const v of found.get(stack.templatePath) ?? []) {
        const same = violations.find((o) => o.ruleName === v.ruleName && o.severity === v.severity && o.description === v.description);
        if (same) same.violatingResources.push(...v.violatingResources);
        else violations.push({ ...v, violatingResources: [...v.violatingResources] });
      }
    }
    return { success: violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal'), violations };
  }

  private entry(stack: IPolicyValidationContext['stackTemplates'][number]): string {
    const hash = crypto
      .createHash('sha256')
      .update(
        JSON.stringify([CACHE_FORMAT, CDK_VERSION, this.version, stack.stackConstructPath, stack.accountId ?? '', stack.region ?? '']),
      )
      .update('\0template\0')
      .update(fs.readFileSync(stack.templatePath));
    return path.join(this.cacheDir, `${hash.digest('hex')}.json`);
  }

  /** The stored findings, given this synthesis's template path; undefined on a miss. */
  private read(stack: IPolicyValidationContext['stackTemplates'][number]): PolicyViolation[] | undefined {
    try {
      const stored = JSON.parse(fs.readFileSync(this.entry(stack), 'utf8')) as PolicyViolation[];
      return stored.map((v) => ({
        ...v,
        violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath: stack.templatePath })),
      }));
    } catch {
      return undefined; // missing, or unreadable (cut short by a crash): a miss
    }
  }

  /** Stores one template's findings without its path (which differs between syntheses); returns them. */
  private store(stack: IPolicyValidationContext['stackTemplates'][number], violations: PolicyViolation[]): PolicyViolation[] {
    const stored = violations.map((v) => ({ ...v, violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath: '' })) }));
    fs.mkdirSync(this.cacheDir, { recursive: true });
    // Written whole under a temporary name, then renamed: a concurrent reader sees the entry complete or not at all.
    const entry = this.entry(stack);
    const temporary = `${entry}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(stored));
    fs.renameSync(temporary, entry);
    return violations;
  }
}

const instances = new Map<string, CachedCloudFormationValidate>();

/** The part of `violations` about one template: each violation with only that template's resources. */
function forTemplate(violations: readonly PolicyViolation[], templatePath: string): PolicyViolation[] {
  return violations.flatMap((v) => {
    const resources = v.violatingResources.filter((r) => r.templatePath === templatePath);
    return resources.length > 0 ? [{ ...v, violatingResources: resources }] : [];
  });
}
