/** Starts the service; on SIGTERM (a deployment or scale-in) finishes in-flight requests, then exits. */
import { createApp } from './server';
import { settingsFromEnv } from './settings';

const settings = settingsFromEnv(process.env);
const server = createApp({ settings });
server.keepAliveTimeout = settings.keepAliveTimeoutMs;
// Node requires the headers timeout to exceed the keep-alive timeout, or idle sockets race the request.
server.headersTimeout = settings.keepAliveTimeoutMs + 1_000;

const log = (message: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: settings.serviceName, message, ...fields })}\n`);

server.listen(settings.port, () => {
  log('listening', { port: settings.port, cacheTiers: settings.caches.map((c) => c.name), database: Boolean(settings.database) });
});

process.once('SIGTERM', () => {
  // ECS sends SIGTERM after the load balancer has started draining the task; the deregistration delay gives
  // in-flight requests time to finish. SIGKILL follows after the container's stop timeout.
  log('draining');
  server.close(() => {
    log('stopped');
    process.exit(0);
  });
  server.closeIdleConnections();
});
