import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations in src/client (used by the merchant client, tests and benchmarks),
 * generated from the committed schema.graphql. `npm run codegen`; a test fails when the output is stale.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/client/**/*.ts'],
  ignoreNoDocuments: false,
  generates: {
    [process.env['CODEGEN_OUTPUT'] ?? 'src/generated/graphql/']: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string' },
        strictScalars: true,
        documentMode: 'string',
      },
    },
  },
};

export default config;
