import * as fs from 'fs';
import * as path from 'path';

/**
 * The project's root: the nearest directory above this file that holds cdk.json. Found rather than assumed
 * (`__dirname/..`), so that the same code works from the TypeScript sources and from a tsc build in dist/.
 */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdk.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..');
  }
}
