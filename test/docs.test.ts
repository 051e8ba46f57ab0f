import * as fs from 'fs';
import { REFERENCE_FILE, renderConfigurationReference } from '../scripts/config-docs';
import { GUIDE_FILE, renderChaosGuide } from '../scripts/chaos-docs';

test('docs/configuration.md is generated from the current schema (run `npm run docs:config` when this fails)', () => {
  expect(fs.readFileSync(REFERENCE_FILE, 'utf8')).toBe(renderConfigurationReference());
});

test('docs/chaos.md is generated from the experiment catalog (run `npm run docs:chaos` when this fails)', () => {
  expect(fs.readFileSync(GUIDE_FILE, 'utf8')).toBe(renderChaosGuide());
});
