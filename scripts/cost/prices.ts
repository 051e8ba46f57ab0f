/**
 * The committed price tables, one per region the configurations use: `config/prices/<region>.json`, dated, with
 * their source and currency (docs/cost.md says how to refresh them). Read once per region and validated, so that a
 * mistyped figure fails with the file and field named rather than pricing a resource at NaN.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../config/project-root';

const price = () => z.number({ error: 'expected a price (a number)' }).min(0, { error: 'expected a price >= 0' });
const byClass = () => z.record(z.string(), price());

export const priceTableSchema = z.strictObject({
  region: z.string().min(1),
  currency: z.literal('USD', { error: 'expected "USD", the currency every table and budget here is in' }),
  effectiveDate: z.iso.date({ error: 'expected the date the prices were entered, YYYY-MM-DD' }),
  source: z.string().min(20, { error: 'expected where the prices come from and how they were entered' }),
  hoursPerMonth: z.number().positive(),
  prices: z.strictObject({
    auroraPostgresInstanceHour: byClass(),
    auroraServerlessV2AcuHour: price(),
    auroraStorageGbMonth: price(),
    auroraIoMillionRequests: price(),
    rdsPostgresSingleAzInstanceHour: byClass(),
    rdsGp3StorageGbMonth: price(),
    rdsProxyVcpuHour: price(),
    rdsProxyAcuHour: price(),
    elastiCacheValkeyNodeHour: byClass(),
    natGatewayHour: price(),
    natGatewayDataGb: price(),
    publicIpv4Hour: price(),
    albHour: price(),
    albLcuHour: price(),
    fargateX86VcpuHour: price(),
    fargateX86GbHour: price(),
    fargateArmVcpuHour: price(),
    fargateArmGbHour: price(),
    kmsKeyMonth: price(),
    secretMonth: price(),
    cloudWatchAlarmMonth: price(),
    cloudWatchCompositeAlarmMonth: price(),
    cloudWatchDashboardMonth: price(),
    logsIngestionGb: price(),
    logsStorageGbMonth: price(),
    wafWebAclMonth: price(),
    wafRuleMonth: price(),
    wafMillionRequests: price(),
    backupAuroraSnapshotGbMonth: price(),
    backupCrossRegionTransferGb: price(),
    fisActionMinute: price(),
    route53HostedZoneMonth: price(),
    s3StandardGbMonth: price(),
  }),
});

export type PriceTable = z.infer<typeof priceTableSchema>;
export type Prices = PriceTable['prices'];

export const PRICES_DIR = path.join(PROJECT_ROOT, 'config', 'prices');

/** A price table that is missing or malformed: the file, and every field that is wrong. */
export class PriceTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceTableError';
  }
}

const cache = new Map<string, PriceTable>();

/** The price table of `region`, from `dir` (default config/prices/). */
export function priceTable(region: string, dir: string = PRICES_DIR): PriceTable {
  const file = path.join(dir, `${region}.json`);
  const cached = cache.get(file);
  if (cached) return cached;
  const shown = path.relative(PROJECT_ROOT, file);
  if (!fs.existsSync(file)) {
    throw new PriceTableError(
      `${shown}: expected the price table of region ${region} (docs/cost.md, "Refreshing the prices"), got no file`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PriceTableError(`${shown}: expected JSON, got ${(e as Error).message}`);
  }
  const result = priceTableSchema.safeParse(json);
  if (!result.success) {
    throw new PriceTableError(result.error.issues.map((i) => `${shown}: ${i.path.join('.') || '(top)'}: ${i.message}`).join('\n'));
  }
  if (result.data.region !== region) {
    throw new PriceTableError(`${shown}: region: expected "${region}" (the file's name), got "${result.data.region}"`);
  }
  cache.set(file, result.data);
  return result.data;
}
