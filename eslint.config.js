// ESLint flat config. The import rules draw docs/architecture.md's layers; the output rules keep the
// protocol code from printing (events go to renderers, and only render/ and commands/ write).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const mockFolders = ['**/mock-api/**', '**/mock-provider/**', '**/mock-edge/**'];
const noPrinting = [
  { object: 'process', property: 'stdout', message: 'Emit an event; only src/render and src/commands write output.' },
  { object: 'process', property: 'stderr', message: 'Emit an event; only src/render and src/commands write output.' },
  {
    object: 'process',
    property: 'exit',
    message: 'Return an exit code from main(); nothing in src/ ends the process.',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'examples/**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bench/*.js', 'scripts/*.js'] } },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (tsc's noUnusedLocals catches the rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Express handlers and vitest callbacks return promises that their frameworks await.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      // Template literals print numbers, booleans and URLs on purpose in messages.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Step.run and the server hooks are async by interface; a step that only checks what it has is still one.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON answers (res.json(), parsed files) as any and pin their shape with expect().
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', ...noPrinting],
    },
  },
  {
    files: ['src/render/**/*.ts', 'src/commands/**/*.ts'],
    rules: { 'no-console': 'off', 'no-restricted-properties': ['error', noPrinting[2]] },
  },
  {
    // The IO seam (house style): nodeDeps() hands the real process.stdout/stderr to bin/ once, as Deps.io; all
    // other code writes through the injected Io. Reading them here is wiring, not printing; exit stays banned.
    files: ['src/deps.ts'],
    rules: { 'no-restricted-properties': ['error', noPrinting[2]] },
  },
  {
    // The checks are an oracle of the contract: flows may name the mocks' types, never use their values.
    files: ['src/flows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: mockFolders, allowTypeImports: true, message: 'Flows import only types from the mocks.' },
          ],
        },
      ],
    },
  },
  {
    // The mocks are the system under test: they know nothing of the agent, the checks or the output.
    files: ['src/mock-*/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/flows/**', '**/agent-sim/**', '**/render/**'],
              message: 'The mocks import no agent, flow or renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
