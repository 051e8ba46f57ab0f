import * as fs from 'fs';
import { REFERENCE_FILE, renderConfigurationReference } from '../scripts/config-docs';

test('docs/configuration.md is generated from the current schema (run `npm run docs:config` when this fails)', () => {
  expect(fs.readFileSync(REFERENCE_FILE, 'utf8')).toBe(renderConfigurationReference());
});
