/**
 * Jest `globalSetup`: a directory for the templates of this run's syntheses (test/support/synth.ts), shared by
 * every test file and worker. Synthesizing an environment is the slow part of the suite, and many files
 * synthesize the same ones (dev, prod, the same variants): the first file to synthesize one writes its templates
 * here, the others read them. The directory belongs to this run only, so the sources cannot change under it;
 * `global-teardown.ts` removes it. The workers, started after this runs, inherit the variable.
 * TEST_SYNTH_SHORTCUTS=off runs without it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHORTCUTS } from './shortcuts';

export const TEMPLATE_CACHE_VARIABLE = 'TEST_TEMPLATE_CACHE_DIR';

export default function globalSetup(): void {
  if (!SHORTCUTS) return;
  process.env[TEMPLATE_CACHE_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), 'scaled-app-templates-'));
}
