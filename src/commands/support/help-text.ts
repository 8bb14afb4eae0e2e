/** What every subcommand's --help ends with: examples (from the README) and the exit codes src/cli.ts decides. */

export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  connect: [
    "codestream-auth connect github                 # the seed's flow: one line per step",
    'codestream-auth connect trello -v              # every check and hop (the fragment hop of contract §1.5)',
    'codestream-auth connect github_enterprise --host https://git.example.com',
  ],
  signup: [
    'codestream-auth signup github --poll --interval 50   # the whole sign-up, polling check-signup',
    'codestream-auth signup gitlab --poll --deny          # the user clicks Deny: exit 1',
    'codestream-auth signup github                        # browser leg only: prints the token and the curl line',
  ],
  refresh: [
    'codestream-auth refresh gitlab                 # connect, then GET /provider-refresh/gitlab',
    'codestream-auth refresh gitlab --step          # pause before each hop',
  ],
  disconnect: [
    'codestream-auth disconnect github              # connect, then PUT /provider-deauth/github',
    'codestream-auth disconnect github_enterprise --host https://git.example.com',
  ],
  interact: [
    'codestream-auth interact slack --env qa                      # signed POST → VPN proxy → qa',
    'codestream-auth interact slack --env qa --tamper signature   # expected: 403 RAPI-1003',
    'codestream-auth interact msteams --env pd',
  ],
  load: [
    'codestream-auth load connect --flows 1000 --concurrency 64   # throughput, latency per step, isolation',
    'codestream-auth load signup --flows 500 --providers github,gitlab --envs local,pd',
    'codestream-auth load connect --flows 200 --json              # one JSON object when done',
  ],
  serve: [
    'codestream-auth serve                                              # every URL, then each request',
    'codestream-auth serve --envs local --providers github --port 5000  # fixed ports',
    'codestream-auth serve --json                                       # JSON, then NDJSON request events',
  ],
  smoke: [
    'codestream-auth smoke --reporter junit --out smoke.xml --summary "$GITHUB_STEP_SUMMARY"',
    'codestream-auth smoke --providers github,trello --scenarios none',
  ],
  scenarios: [
    'codestream-auth scenarios --flow connect',
    'codestream-auth connect github --scenario lost-broadcast-history',
  ],
  providers: ['codestream-auth providers', 'codestream-auth providers --json'],
  'decode-state': [
    "codestream-auth decode-state 'local!eyJhbGciOi…' --secret AuthSecret",
    "codestream-auth decode-state 'http://127.0.0.1:8080/no-auth/provider-token/github?code=x&state=qa!eyJ…'",
  ],
  'init-profile': [
    'codestream-auth init-profile my-oauth.json',
    'MY_OAUTH_SECRET=… codestream-auth connect --profile my-oauth.json',
  ],
};

export const EXIT_CODES = [
  'Exit codes:',
  '  0    ok (a scenario or misconfiguration run: the system behaved as expected)',
  '  1    failed: a check, a flow step or a smoke cell failed, or an error',
  '  2    usage: bad arguments or options, nothing was run',
  '  130  interrupted (Ctrl-C; 143 for SIGTERM, 129 for SIGHUP), or q at a --step prompt',
].join('\n');

/** The text after a subcommand's help. */
export function helpFooter(name: string): string {
  const examples = EXAMPLES[name];
  const block = examples === undefined ? '' : `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n`;
  return `${block}\n${EXIT_CODES}\n`;
}
