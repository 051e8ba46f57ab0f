/**
 * What /health/ready says about a failed check: a reason class an operator can act on (the runbook has a
 * line per class), and the driver's message with every secret taken out. The class comes from the error's
 * code where there is one (PostgreSQL SQLSTATE, Node's network and TLS codes), from the reply's first word
 * for Redis, which has no codes.
 */

export type FailureReason =
  | 'authentication failed'
  | 'permission denied'
  | 'database missing'
  | 'too many connections'
  | 'server unavailable'
  | 'certificate not trusted'
  | 'tls refused'
  | 'timed out'
  | 'refused'
  | 'name not resolved'
  | 'connection closed'
  | 'failed';

export interface Failure {
  readonly reason: FailureReason;
  /** The error's message, secrets removed, at most 200 characters. */
  readonly error: string;
}

/** PostgreSQL SQLSTATE codes (appendix A of its manual) that a login can meet. */
const SQLSTATE: Record<string, FailureReason> = {
  '28P01': 'authentication failed', // invalid_password: a wrong password, or an IAM token RDS refused
  '28000': 'authentication failed', // invalid_authorization_specification: no pg_hba.conf entry, role cannot log in
  '42501': 'permission denied', // insufficient_privilege: CONNECT on the database revoked, or SELECT refused
  '3D000': 'database missing', // invalid_catalog_name
  '53300': 'too many connections', // too_many_connections
  '57P03': 'server unavailable', // cannot_connect_now: starting up, shutting down, in recovery
  '57P01': 'server unavailable', // admin_shutdown
};

/** Node's codes for a certificate that does not verify (`rejectUnauthorized`), and for a name that does not match. */
const CERTIFICATE = /^(ERR_TLS_CERT_ALTNAME_INVALID|.*CERT.*|UNABLE_TO_.*|.*SELF_SIGNED.*)$/;

const NETWORK: Record<string, FailureReason> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'name not resolved',
  EAI_AGAIN: 'name not resolved',
  // node:dns resolve*(): the name exists but has no record of the type asked (a reader alias that is not a CNAME).
  ENODATA: 'name not resolved',
  ECONNRESET: 'connection closed',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'timed out',
  DEADLINE: 'timed out',
};

const REDIS_REPLY: [RegExp, FailureReason][] = [
  [/^(WRONGPASS|NOAUTH|ERR (invalid password|AUTH))/, 'authentication failed'],
  [/^NOPERM/, 'permission denied'],
  [/^LOADING/, 'server unavailable'],
];

const MESSAGE: [RegExp, FailureReason][] = [
  [/does not support SSL/, 'tls refused'],
  [/timeout|timed out/i, 'timed out'],
  [/Connection (is closed|terminated)/i, 'connection closed'],
];

function reasonOf(error: ErrorLike): FailureReason {
  const code = typeof error.code === 'string' ? error.code : '';
  if (SQLSTATE[code]) return SQLSTATE[code];
  if (NETWORK[code]) return NETWORK[code];
  if (code && CERTIFICATE.test(code)) return 'certificate not trusted';
  for (const [pattern, reason] of [...REDIS_REPLY, ...MESSAGE]) if (pattern.test(error.message)) return reason;
  return 'failed';
}

/** A signed token's query string (an IAM auth token is a presigned URL), in case a driver ever echoes one. */
const SIGNED_QUERY = /X-Amz-[A-Za-z-]+=[^&\s"']*/g;

type ErrorLike = Error & { code?: unknown; errors?: unknown };

/** Duck-typed, not `instanceof Error`: errors made in another realm (Node's internals under a test runner's vm) are Errors too. */
function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

export function describeFailure(thrown: unknown, secrets: readonly string[]): Failure {
  let error: ErrorLike = isErrorLike(thrown) ? thrown : new Error(String(thrown));
  // Node's happy-eyeballs connect (a name with several addresses) fails with every attempt's error.
  if (Array.isArray(error.errors) && isErrorLike(error.errors[0]) && !error.code) error = error.errors[0];
  let message = error.message || error.name;
  for (const secret of secrets) if (secret) message = message.split(secret).join('[redacted]');
  message = message.replace(SIGNED_QUERY, '[redacted]');
  return { reason: reasonOf(error), error: message.length > 200 ? `${message.slice(0, 197)}...` : message };
}
