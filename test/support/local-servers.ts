/**
 * Whether the real-server tests can run: they need PostgreSQL and redis-server installed (`.ci/run` installs
 * them). Without them the tests fail under CI=true, where a skipped proof would be a silent hole, and are
 * skipped elsewhere with a message that says what to install.
 */
import { missingServers } from '../../scripts/local';

export function describeWithServers(name: string, body: () => void): void {
  const missing = missingServers();
  if (missing.length === 0) return describe(name, body);
  const message = `real-server tests need ${missing.join(' and ')} (apt-get install -y --no-install-recommends ${missing.join(' ')}; .ci/run does it)`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('has the servers it needs', () => {
        throw new Error(message);
      });
    });
  } else {
    console.warn(`skipped "${name}": ${message}`);
    describe.skip(name, body);
  }
}
