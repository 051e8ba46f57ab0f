/**
 * Masks what changes without the infrastructure changing: asset hashes (they follow the bundled code and the
 * CDK version) and the CDK version strings in metadata. Everything else stays in the snapshot; nothing is
 * deleted from templates.
 */
const ASSET_HASH = /[a-f0-9]{64}/g;
const MASKED = '[ASSET-HASH]';

function mask(value: string): string {
  return value.replace(ASSET_HASH, MASKED).replace(/\bv?2\.\d{3}\.\d+(\.\d+)?\b/g, '[CDK-VERSION]');
}

const serializer = {
  test: (value: unknown): boolean => typeof value === 'string' && value !== mask(value),
  serialize: (
    value: string,
    _config: unknown,
    _indentation: string,
    _depth: number,
    _refs: unknown,
    printer: (v: unknown, ...rest: unknown[]) => string,
  ): string => printer(mask(value), _config, _indentation, _depth, _refs),
};

module.exports = serializer;
