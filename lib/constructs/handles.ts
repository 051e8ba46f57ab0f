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
  readonly port: number;
  /** Secret with `username`, `password`, `host`, `port`, `dbname`. */
  readonly secret: secretsmanager.ISecret;
  /** Name of the application database. */
  readonly databaseName: string;
  /** Allow a client (a service) to reach the writer and the reader endpoints on their port. */
  allowFrom(client: ec2.IConnectable): void;
  /** Allow a principal to connect with IAM database authentication as `dbUser`. */
  grantConnect(grantee: iam.IGrantable, dbUser: string): void;
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
