/**
 * IAM authentication tokens for the database, signed with the AWS SDK v3 signer (`@aws-sdk/rds-signer`).
 *
 * A token is a SigV4-presigned `connect` request for one host, port and database user, valid for 15 minutes
 * (`X-Amz-Expires=900`). RDS and RDS Proxy check it only when a connection logs in; a connection that is
 * already open stays open after its token expires. Signing is local (no network call), but resolving the
 * task role's credentials is not, so one signer is kept per endpoint and user and its token is reused for
 * new connections until it is `refreshAfterMs` old: a pool that opens many connections at once signs once,
 * and no connection ever presents a token with less than 5 minutes left.
 */
import { Signer, type SignerConfig } from '@aws-sdk/rds-signer';

/** Lifetime RDS gives a token; fixed by the service. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Age at which a cached token is replaced: 5 minutes before it would expire. */
export const TOKEN_REFRESH_AFTER_MS = 10 * 60_000;

export interface IamTokenSourceProps {
  /** The endpoint the connection goes to: a token signed for another name is refused. */
  readonly hostname: string;
  readonly port: number;
  /** The database user the token logs in as. */
  readonly username: string;
  readonly region: string;
  /** @default - the default credential provider chain (on ECS, the task role) */
  readonly credentials?: SignerConfig['credentials'];
  /** @default TOKEN_REFRESH_AFTER_MS */
  readonly refreshAfterMs?: number;
}

/** Returns a token valid for at least `TOKEN_LIFETIME_MS - refreshAfterMs`; usable as pg's `password`. */
export type TokenSource = () => Promise<string>;

export function iamTokenSource(props: IamTokenSourceProps): TokenSource {
  const signer = new Signer({
    hostname: props.hostname,
    port: props.port,
    username: props.username,
    region: props.region,
    credentials: props.credentials,
  });
  const refreshAfterMs = props.refreshAfterMs ?? TOKEN_REFRESH_AFTER_MS;
  let cached: { token: string; signedAt: number } | undefined;
  let signing: Promise<string> | undefined;

  return () => {
    // Date.now(), not a timer: nothing to clean up, and a token is only ever judged when a connection needs it.
    if (cached && Date.now() - cached.signedAt < refreshAfterMs) return Promise.resolve(cached.token);
    // Connections opened together share one signing; a failure is not cached, the next connection retries.
    signing ??= (async () => {
      const signedAt = Date.now();
      try {
        const token = await signer.getAuthToken();
        cached = { token, signedAt };
        return token;
      } finally {
        signing = undefined;
      }
    })();
    return signing;
  };
}
