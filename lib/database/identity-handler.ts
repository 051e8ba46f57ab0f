/**
 * The Lambda function behind the `DatabaseIdentities` custom resource: runs the statements of `identitySql`
 * as the master user, on the writer, over TLS that verifies the RDS certificate authority.
 *
 * - Create and Update run every statement, in one transaction (they are idempotent, see identity-sql.ts), so
 *   that a change of the user list deploys by itself and a half-applied list never stays behind.
 * - Delete does nothing: a retained or snapshotted database keeps its users, and removing a service from config
 *   must not drop a role that owns tables.
 *
 * It answers CloudFormation itself (a PUT to the pre-signed response URL) rather than through the CDK provider
 * framework: one function and one role, both in this stack's hands, instead of a second framework function
 * with an AWS managed policy and a wildcard invoke permission.
 *
 * Bundled by esbuild at synth (`NodejsFunction`); `@aws-sdk/*` comes from the Lambda runtime, `pg` is bundled.
 */
import { Client } from 'pg';
import { type CustomResourceRequest, putResponse, responseBody } from '../hooks/cfn-response';

/** The custom resource's properties (strings, as CloudFormation passes them). */
export interface IdentityProperties {
  readonly SecretArn: string;
  /** The writer's own endpoint: the master user cannot log in through the proxy (end-to-end IAM). */
  readonly Host: string;
  readonly Port: string;
  readonly DatabaseName: string;
  readonly Statements: readonly string[];
}

/** The part of a CloudFormation custom resource event this handler reads. */
export type CustomResourceEvent = CustomResourceRequest<IdentityProperties>;

export interface MasterCredentials {
  readonly username: string;
  readonly password: string;
}

/** What the handler does to the outside world; tests replace it, Lambda uses `awsDependencies()`. */
export interface Dependencies {
  readonly readSecret: (arn: string) => Promise<MasterCredentials>;
  /** Runs `statements` in order in one transaction, as `credentials`, on `props.Host`. */
  readonly runStatements: (props: IdentityProperties, credentials: MasterCredentials, statements: readonly string[]) => Promise<void>;
  readonly respond: (url: string, body: string) => Promise<void>;
}

/** How long a connection attempt may take (an Aurora Serverless v2 writer at its floor answers in seconds). */
const CONNECT_TIMEOUT_MS = 20_000;
const CONNECT_ATTEMPTS = 3;

export async function handle(event: CustomResourceEvent, deps: Dependencies): Promise<void> {
  const props = event.ResourceProperties;
  // Stable, so that an update is never taken for a replacement (which would send a Delete for the old one).
  const physicalResourceId = event.PhysicalResourceId ?? `${props.DatabaseName}-identities`;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = `${event.RequestType}: nothing to do`;
  try {
    if (event.RequestType !== 'Delete') {
      const credentials = await deps.readSecret(props.SecretArn);
      await deps.runStatements(props, credentials, props.Statements);
      reason = `${event.RequestType}: ${props.Statements.length} statements applied`;
    }
  } catch (error) {
    status = 'FAILED';
    // The message of pg or the SDK, never the credentials (they are not part of either).
    reason = `${event.RequestType} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  console.log(JSON.stringify({ requestType: event.RequestType, status, reason }));
  await deps.respond(event.ResponseURL, responseBody(event, status, reason, physicalResourceId));
}

/** The narrow part of `@aws-sdk/client-secrets-manager` used here (the Lambda runtime provides the package). */
interface SecretsManagerModule {
  SecretsManagerClient: new () => { send(command: unknown): Promise<{ SecretString?: string }> };
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}

export function awsDependencies(): Dependencies {
  return {
    async readSecret(arn) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk = require('@aws-sdk/client-secrets-manager') as SecretsManagerModule;
      const out = await new sdk.SecretsManagerClient().send(new sdk.GetSecretValueCommand({ SecretId: arn }));
      const secret = JSON.parse(out.SecretString ?? '{}') as Partial<MasterCredentials>;
      if (!secret.username || !secret.password) throw new Error(`secret ${arn} has no username and password`);
      return { username: secret.username, password: secret.password };
    },
    runStatements: runOnDatabase,
    respond: putResponse,
  };
}

async function runOnDatabase(props: IdentityProperties, credentials: MasterCredentials, statements: readonly string[]): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
    const client = new Client({
      host: props.Host,
      port: Number(props.Port),
      database: props.DatabaseName,
      user: credentials.username,
      password: credentials.password,
      // Verified against the RDS CAs the Lambda runtime ships (NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem).
      ssl: { rejectUnauthorized: true, servername: props.Host },
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'database-identities',
    });
    try {
      await client.connect();
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      continue;
    }
    try {
      await client.query('BEGIN');
      for (const statement of statements) await client.query(statement);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** The Lambda entry point. */
export async function handler(event: CustomResourceEvent): Promise<void> {
  await handle(event, awsDependencies());
}
