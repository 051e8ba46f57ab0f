/** Jest `globalTeardown`: removes this run's template directory (global-setup.ts). */
import * as fs from 'fs';
import { TEMPLATE_CACHE_VARIABLE } from './global-setup';

export default function globalTeardown(): void {
  const dir = process.env[TEMPLATE_CACHE_VARIABLE];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
