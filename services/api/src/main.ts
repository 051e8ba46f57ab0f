/** Starts the service; on SIGTERM (a deployment or scale-in) finishes in-flight requests, closes its connections, then exits. */
import { createCaches } from './caches';
import { createDatabase } from './database';
import { createApp } from './server';
import { settingsFromEnv } from './settings';

const settings = settingsFromEnv(process.env);

const log = (message: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: settings.serviceName, message, ...fields })}\n`);

const database =
  settings.database &&
  createDatabase(settings.database, {
    applicationName: settings.serviceName,
    onIdleError: (role, error) => log('database connection lost', { role, error: error.message }),
  });
const caches = createCaches(settings.caches, { onError: (tier, error) => log('cache connection error', { tier, error: error.message }) });

const server = createApp({ settings, database, caches });
server.keepAliveTimeout = settings.keepAliveTimeoutMs;
// Node requires the headers timeout to exceed the keep-alive timeout, or idle sockets race the request.
server.headersTimeout = settings.keepAliveTimeoutMs + 1_000;

server.listen(settings.port, () => {
  log('listening', {
    port: settings.port,
    cacheTiers: caches.names,
    database: settings.database && {
      auth: settings.database.auth.kind,
      user: settings.database.user,
      readerUser: settings.database.readerUser,
    },
  });
});

process.once('SIGTERM', () => {
  // ECS sends SIGTERM after the load balancer has started draining the task; the deregistration delay gives
  // in-flight requests time to finish. SIGKILL follows after the container's stop timeout.
  log('draining');
  server.close(() => {
    void Promise.allSettled([database?.end(), caches.end()]).then(() => {
      log('stopped');
      process.exit(0);
    });
  });
  server.closeIdleConnections();
});
