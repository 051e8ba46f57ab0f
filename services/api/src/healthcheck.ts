/**
 * The container health check (`node dist/healthcheck.js`): exits 0 when /health/live answers 200 within the
 * deadline, 1 otherwise. A script rather than curl, because the runtime image has Node but no curl.
 */
import * as http from 'node:http';

const port = Number(process.env.PORT || 8080);
const request = http.get({ host: '127.0.0.1', port, path: '/health/live', timeout: 3_000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', () => process.exit(1));
