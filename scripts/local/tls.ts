/**
 * Throwaway TLS material for the local servers: a certificate authority made at start, and a server
 * certificate it signs for `127.0.0.1` and `localhost`. Clients trust the CA file, exactly as the service
 * trusts the RDS bundle, so tests exercise full verification (chain and name), not `rejectUnauthorized: false`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Certificates {
  /** PEM of the certificate authority: what a client trusts. */
  readonly caFile: string;
  /** PEM of the server certificate, signed by the CA, for IP 127.0.0.1 and DNS localhost. */
  readonly certFile: string;
  /** The server's private key, mode 0600 (PostgreSQL refuses a key others can read). */
  readonly keyFile: string;
}

export interface CertificateOptions {
  /** Directory to write into (created if missing). */
  readonly directory: string;
  /** Names the server certificate is valid for. @default ['IP:127.0.0.1', 'DNS:localhost'] */
  readonly subjectAltNames?: readonly string[];
  /** The CA's common name, so two CAs made for one test are told apart in errors. @default 'local test CA' */
  readonly caName?: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a CA and a server certificate with openssl (EC P-256 keys: fast to generate). */
export function createCertificates(options: CertificateOptions): Certificates {
  const dir = options.directory;
  fs.mkdirSync(dir, { recursive: true });
  const altNames = (options.subjectAltNames ?? ['IP:127.0.0.1', 'DNS:localhost']).join(',');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${options.caName ?? 'local test CA'}`],
    dir,
  );
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=local test server'], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'), `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'server.ext',
      '-out',
      'server.crt',
    ],
    dir,
  );
  // The CA's key is no longer needed: nothing else can be signed with it.
  fs.rmSync(path.join(dir, 'ca.key'));
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  return { caFile: path.join(dir, 'ca.crt'), certFile: path.join(dir, 'server.crt'), keyFile: path.join(dir, 'server.key') };
}
