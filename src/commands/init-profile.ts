/** `codestream-auth init-profile [file]`: writes a commented starting point for a custom profile (--profile). */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { prepareOutputPaths } from './support/output-paths.js';
import { objectOrEmpty } from '../util/json.js';

const DEFAULT_FILE = 'my-oauth.json';

// JSON has no comments: notes sit in "$comment" fields (the JSON Schema convention), which the loader ignores.
export const PROFILE_TEMPLATE = {
  $comment:
    'A custom profile: a real OAuth 2.0 server (authorization code flow) the lab does not mock. Edit the ' +
    'values, export the client secret in the variable server.clientSecretEnv names, then run ' +
    '"codestream-auth connect --profile <this file>". "$comment" fields are notes and may be removed.',
  id: 'my_oauth',
  displayName: 'My OAuth 2.0 server',
  realHost: 'sso.example.com',
  authorize: {
    $comment: 'The endpoint is server.authorizeUrl; here only the scope string the server expects.',
    scopes: 'openid profile',
  },
  token: {
    $comment:
      'How the code exchange is sent: formQuery (urlencoded body, RFC 6749), form (multipart), json or query. ' +
      'The endpoint is server.tokenUrl.',
    format: 'formQuery',
  },
  server: {
    $comment:
      'Absolute URLs of the real server. Register the redirect URI the run prints ' +
      '(http://127.0.0.1:<port>/no-auth/provider-token/<id>); set callbackPort to fix the port ahead of time.',
    authorizeUrl: 'https://sso.example.com/oauth2/authorize',
    tokenUrl: 'https://sso.example.com/oauth2/token',
    clientId: 'your-client-id',
    clientSecretEnv: 'MY_OAUTH_SECRET',
  },
};

export function registerInitProfile(program: Command, deps: Deps, setExit: (code: number) => void): void {
  program
    .command('init-profile')
    .description('write a commented starting point for a custom profile (connect/signup/refresh --profile)')
    .argument('[file]', 'where to write it', DEFAULT_FILE)
    .option('--force', 'overwrite the file if it exists')
    .action(async (file: string, flags: { force?: boolean }) => {
      await prepareOutputPaths({ file });
      try {
        await writeFile(file, `${JSON.stringify(PROFILE_TEMPLATE, null, 2)}\n`, {
          encoding: 'utf8',
          flag: flags.force ? 'w' : 'wx',
        });
      } catch (cause) {
        if (objectOrEmpty(cause).code !== 'EEXIST') throw cause;
        throw new UsageError(`${file} already exists`, { hint: 'Pass another file name, or --force to overwrite it.' });
      }
      deps.io.stderr.write(
        `wrote ${file}: edit it, then run\n  MY_OAUTH_SECRET=… codestream-auth connect --profile ${file}\n`,
      );
      setExit(0);
    });
}
