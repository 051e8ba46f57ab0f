// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '**/cdk.out/', 'dist/', 'coverage/', '**/*.js', '**/*.d.ts', '!eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // The construct boundary (docs/architecture.md): a construct takes narrow, typed props and never reads the
    // configuration schema, its defaults or its loader; the stacks in lib/stacks map config to props.
    files: ['lib/constructs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)config(/|$)',
              message: 'A construct does not import config/: take narrow props, and let the stack (lib/stacks) map config to them.',
            },
          ],
        },
      ],
    },
  },
  {
    // The other way round: configuration may read the domain modules (lib/capacity, lib/database,
    // lib/rollout), never a construct or a stack, so that config/ and the CDK code are not tangled both ways.
    files: ['config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)lib/(constructs|stacks)(/|$)',
              message:
                'config/ does not import a construct or a stack: move what it needs into a domain module (lib/rollout, lib/capacity, …).',
            },
          ],
        },
      ],
    },
  },
);
