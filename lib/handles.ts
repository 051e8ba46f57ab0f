/**
 * The typed handles one layer hands to another. The service layer reaches the data layer only through these
 * (security groups through `connections`, credentials through secrets), never through strings copied
 * between stacks.
 */
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

export interface DatabaseEndpoints {
  /** Host name of the writer endpoint (the RDS Proxy): writes, and reads that must see the latest commit. */
  readonly writerEndpoint: string;
  /** Host name of the reader endpoint: replica lag applies. */
  readonly readerEndpoint: string;
  /**
   * `endpoint`: a name the database's certificate carries, to connect to and sign tokens for as it is.
   * `cname`: a DNS alias over instance endpoints, which a client resolves per connection and connects to the
   * instance it names (no RDS certificate or IAM token is valid for the alias itself).
   */
  readonly readerEndpointType: 'endpoint' | 'cname';
  readonly port: number;
  /** Name of the application database. */
  readonly databaseName: string;
  /** Allow a client (a service) to reach the writer and the reader endpoints on their port. */
  allowFrom(client: ec2.IConnectable): void;
  /** Allow a principal to log in with an IAM token as `login.writer` at the writer endpoint and as `login.reader` at the reader endpoint. */
  grantConnect(grantee: iam.IGrantable, login: DatabaseLogin): void;
}

/** The database users one principal logs in as. */
export interface DatabaseLogin {
  /** The user at the writer endpoint (absent for a read-only service). */
  readonly writer?: string;
  /** The read-only user at the reader endpoint. */
  readonly reader: string;
}

export interface CacheTierEndpoints {
  /** Tier name from config (`critical`, `hot`, ...). */
  readonly name: string;
  /** The tier's eviction policy (`noeviction`, `allkeys-lru`, ...). */
  readonly evictionPolicy: string;
  readonly primaryEndpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  /** AUTH token secret (`SecretString` is the token). */
  readonly authSecret: secretsmanager.ISecret;
  /** Allow a client (a service) to reach the tier on its port. */
  allowFrom(client: ec2.IConnectable): void;
}
