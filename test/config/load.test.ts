import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, listEnvironments, loadEnvironment } from '../../config/load';

function tempEnvironments(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envs-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const MINIMAL = `export default {
  environment: { production: false, account: '444444444444', region: 'us-east-1', availabilityZones: ['us-east-1a', 'us-east-1b'] },
};
`;

describe('environment discovery', () => {
  test('the environments are the files in config/environments', () => {
    expect(listEnvironments()).toEqual(expect.arrayContaining(['dev', 'staging', 'prod']));
  });

  test('adding a file adds an environment, with everything else from the defaults', () => {
    const dir = tempEnvironments({ 'perf.ts': MINIMAL, 'README.md': 'not an environment', 'types.d.ts': '' });
    expect(listEnvironments(dir)).toEqual(['perf']);
    const config = loadEnvironment('perf', dir);
    expect(config.environment).toEqual({
      name: 'perf',
      production: false,
      account: '444444444444',
      region: 'us-east-1',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      reserveLambdaConcurrency: true,
    });
    expect(config.database.engine).toBe('aurora-postgresql');
  });

  test('fails on an unknown environment, listing the known ones', () => {
    expect(() => loadEnvironment('prd')).toThrow(
      /^environment name: expected one of (\w+, )*dev, (\w+, )*prod, staging.* \(an environment is a file config\/environments\/NAME\.ts\), got "prd"$/,
    );
  });

  test('fails with the file named when an environment file does not load', () => {
    const dir = tempEnvironments({ 'broken.ts': 'export default { environment: ' });
    expect(() => loadEnvironment('broken', dir)).toThrow(ConfigError);
    expect(() => loadEnvironment('broken', dir)).toThrow(/broken\.ts: expected a module that loads, got an error/);
  });

  test('fails when the default export is not an object', () => {
    const dir = tempEnvironments({ 'weird.ts': 'export default 42;\n' });
    expect(() => loadEnvironment('weird', dir)).toThrow(/weird\.ts: expected a default export that is an object of overrides, got 42/);
  });

  test('the shipped production environment spans three zones and is marked production', () => {
    const prod = loadEnvironment('prod');
    expect(prod.environment.production).toBe(true);
    expect(prod.environment.availabilityZones).toHaveLength(3);
  });
});
