/**
 * The reader pool on its own port. createDatabase gives both pools `settings.port` (on AWS the proxy's writer
 * and reader endpoints, and the instances, share one port); the local workload's replica and its pooler listen
 * on other ports of 127.0.0.1. This opens a second createDatabase on the reader's port and takes its reader pool
 * (pg pools connect lazily: the unused writer pool of it never opens a connection).
 */
import { type Database, type DatabaseOptions, createDatabase } from './database';
import type { DatabaseSettings } from './settings';

export function createDatabaseWithReaderPort(settings: DatabaseSettings, options: DatabaseOptions = {}): Database {
  const main = createDatabase(settings, options);
  if (settings.readerPort === settings.port) return main;
  const readers = createDatabase({ ...settings, port: settings.readerPort }, options);
  return {
    writer: main.writer,
    reader: readers.reader,
    checkLogin: (role, timeoutMs) => (role === 'writer' ? main : readers).checkLogin(role, timeoutMs),
    end: async () => {
      await Promise.all([main.end(), readers.end()]);
    },
  };
}
