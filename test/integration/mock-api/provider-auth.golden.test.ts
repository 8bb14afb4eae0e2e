/**
 * The exact authorize redirect of GET /no-auth/provider-auth/:provider for every provider, byte for byte:
 * parameter order and encodeURIComponent encoding, as the real server's provider_auth tests pin them
 * (contract §8, §3.1, §3.2). The expected URLs are written out here, not computed by the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import { signToken } from '../../../src/mock-api/pauth.js';
import { createClock, getManual, labData, startTestLab } from '../../helpers/lab.js';

const clock = createClock();
const enc = encodeURIComponent;
let lab: Lab;
let api: string;
let code: string;

beforeAll(async () => {
  const { profiles } = await labData();
  lab = await startTestLab({ providers: [...profiles.keys()], envs: ['local'], now: clock.now });
  api = lab.envs.get('local')!.url;
  const res = await fetch(`${api}/provider-auth-code?teamId=acme`, {
    headers: { authorization: 'Bearer cs-token-dana' },
  });
  code = ((await res.json()) as { code: string }).code;
});
afterAll(async () => {
  await lab?.close();
});

const origin = (provider: string) => lab.providers.get(provider)!.url;
const cb = (provider: string) => enc(`${lab.authOrigin}/provider-token/${provider}`);
const state = (host?: string) => enc(host === undefined ? `local!${code}` : `local!${code}!${host}`);

async function start(provider: string, extra = ''): Promise<string | null> {
  const res = await getManual(`${api}/no-auth/provider-auth/${provider}?code=${code}${extra}`);
  expect(res.status).toBe(302);
  return res.location;
}

describe('the authorize URL of every OAuth 2.0 provider, exactly', () => {
  // [provider, extra start query, expected URL]; the one place each provider's redirect is spelled out.
  const cases: Array<[string, string, () => string]> = [
    [
      'github',
      '',
      () =>
        `${origin('github')}/login/oauth/authorize?client_id=cs-github-client&redirect_uri=${cb('github')}&response_type=code&state=${state()}&scope=repo%2Cread%3Auser%2Cuser%3Aemail%2Cnotifications%2Cread%3Aorg`,
    ],
    [
      'github_enterprise',
      '&host=https://git.example.com',
      () =>
        `${origin('github_enterprise')}/login/oauth/authorize?client_id=cs-ghe-client&redirect_uri=${cb('github_enterprise')}&response_type=code&state=${state('https://git.example.com')}&scope=repo%2Cread%3Auser%2Cuser%3Aemail%2Cnotifications`,
    ],
    [
      'gitlab',
      '',
      () =>
        `${origin('gitlab')}/oauth/authorize?client_id=cs-gitlab-client&redirect_uri=${cb('gitlab')}&response_type=code&state=${state()}&scope=api`,
    ],
    [
      'gitlab_enterprise',
      '&host=https%3A%2F%2FGitLab.Example.com',
      () =>
        `${origin('gitlab_enterprise')}/oauth/authorize?client_id=cs-gle-client&redirect_uri=${cb('gitlab_enterprise')}&response_type=code&state=${state('https://gitlab.example.com')}&scope=api`,
    ],
    [
      'bitbucket',
      '',
      () =>
        `${origin('bitbucket')}/site/oauth2/authorize?client_id=cs-bitbucket-client&redirect_uri=${cb('bitbucket')}&response_type=code&state=${state()}&scope=account%20team%20repository%20issue%3Awrite%20pullrequest%3Awrite`,
    ],
    [
      'bitbucket_server',
      '&host=https://bitbucket.example.com',
      () =>
        `${origin('bitbucket_server')}/site/oauth2/authorize?client_id=cs-bbs-client&redirect_uri=${cb('bitbucket_server')}&response_type=code&state=${state('https://bitbucket.example.com')}&scope=projects%3Aread%20repositories%3Awrite`,
    ],
    [
      'jira',
      '',
      () =>
        `${origin('jira')}/authorize?client_id=cs-jira-client&redirect_uri=${cb('jira')}&response_type=code&state=${state()}&scope=read%3Ajira-user%20read%3Ajira-work%20write%3Ajira-work%20offline_access&audience=api.atlassian.com&prompt=consent`,
    ],
    [
      'trello',
      '',
      () =>
        `${origin('trello')}/1/authorize?response_type=token&scope=read%2Cwrite&expiration=never&name=CodeStream&callback_method=fragment&return_url=${enc(`${lab.authOrigin}/provider-token/trello?state=local!${code}`)}&key=cs-trello-key`,
    ],
    [
      'youtrack',
      '',
      () =>
        `${origin('youtrack')}/hub/api/rest/oauth2/auth?client_id=cs-youtrack-client&redirect_uri=${enc(`${api}/no-auth/provider-token/youtrack`)}&response_type=token&state=${state()}&scope=YouTrack&request_credentials=default`,
    ],
    [
      'asana',
      '',
      () =>
        `${origin('asana')}/-/oauth_authorize?client_id=cs-asana-client&redirect_uri=${cb('asana')}&response_type=code&state=${state()}`,
    ],
    [
      'azuredevops',
      '',
      () =>
        `${origin('azuredevops')}/oauth2/authorize?client_id=cs-azuredevops-app&redirect_uri=${cb('azuredevops')}&response_type=Assertion&state=${state()}&scope=vso.identity%20vso.work_write`,
    ],
    [
      'slack',
      '&sharing=true',
      () =>
        `${origin('slack')}/oauth/v2/authorize?client_id=cs-slack-client&redirect_uri=${cb('slack')}&response_type=code&state=${state()}&user_scope=channels%3Aread%20channels%3Awrite%20chat%3Awrite%20groups%3Aread%20groups%3Awrite%20im%3Aread%20mpim%3Aread%20mpim%3Awrite%20users.profile%3Awrite%20users%3Aread%20users%3Aread.email`,
    ],
    [
      'slack',
      '&sharing=true&requestServerToken=true',
      () =>
        `${origin('slack')}/oauth/v2/authorize?client_id=cs-slack-client&redirect_uri=${cb('slack')}&response_type=code&state=${state()}&user_scope=channels%3Aread%20channels%3Awrite%20chat%3Awrite%20groups%3Aread%20groups%3Awrite%20im%3Aread%20mpim%3Aread%20mpim%3Awrite%20users.profile%3Awrite%20users%3Aread%20users%3Aread.email&scope=channels%3Ahistory%20channels%3Aread%20chat%3Awrite%20groups%3Ahistory%20groups%3Aread%20mpim%3Ahistory%20mpim%3Aread%20users%3Aread%20users%3Aread.email`,
    ],
    [
      'linear',
      '',
      () =>
        `${origin('linear')}/oauth/authorize?client_id=cs-linear-client&redirect_uri=${cb('linear')}&response_type=code&state=${state()}&scope=read%2Cissues%3Acreate`,
    ],
    [
      'okta',
      '&hostUrl=ORIGIN',
      () =>
        `${origin('okta')}/oauth2/v1/authorize?client_id=cs-okta-client&redirect_uri=${cb('okta')}&response_type=code&state=${state()}&scope=openid%20email%20profile`,
    ],
    [
      'msteams',
      '&sharing=true',
      () =>
        `${origin('msteams')}/common/oauth2/v2.0/authorize?client_id=cs-msteams-client&redirect_uri=${cb('msteams')}&response_type=code&state=${state()}&scope=User.Read.All%20Group.ReadWrite.All%20offline_access&response_mode=query`,
    ],
  ];

  it.each(cases)('%s (start query "%s")', async (provider, extra, expected) => {
    expect(await start(provider, extra.replace('ORIGIN', enc(origin(provider))))).toBe(expected());
  });

  it('covers every profile of fixtures/providers', async () => {
    const { profiles } = await labData();
    expect(new Set(cases.map(([p]) => p)).size + 1).toBe(profiles.size); // + jiraserver, below
  });
});

describe('OAuth 1.0a (jiraserver): a request token, then authorize with the state inside oauth_callback', () => {
  it('redirects to <host>/plugins/servlet/oauth/authorize?oauth_token&oauth_callback, host special-encoded, oasec JWT last', async () => {
    const location = await start('jiraserver', '&host=https://jira.example.com');
    const jira = lab.providers.get('jiraserver')!;
    const [requestToken] = [...jira.control.grants.requestTokens.values()];
    expect(requestToken).toBeDefined();
    const oasec = await signToken(
      'oasec',
      { sec: requestToken!.secret },
      { secret: 'AuthSecret', now: clock.now },
      undefined,
    );
    const callback = `${api}/no-auth/provider-token/jiraserver?state=local!${code}!https***(_colon_)***(_slash_)***(_slash_)jira.example.com!${oasec}`;
    expect(location).toBe(
      `${jira.url}/plugins/servlet/oauth/authorize?oauth_token=${requestToken!.token}&oauth_callback=${enc(callback)}`,
    );
    // The request-token call was server to server and signed by the registered consumer.
    const call = jira.control.requests.find((r) => r.endpoint === 'request-token');
    expect(call).toMatchObject({ method: 'POST', status: 200 });
    expect(call?.headers.authorization).toMatch(
      /^OAuth oauth_callback="oob", oauth_consumer_key="codestream-jira-consumer", .*oauth_signature_method="RSA-SHA1"/,
    );
  });
});

describe('start errors go to /web/error with no state (contract §1.3 step 8)', () => {
  it.each([
    ['github_enterprise', '&host=https://unknown.example.com', 'PRVD-1003'],
    ['github_enterprise', '', 'PRVD-1003'],
    ['github', '&host=https://git.example.com', 'PRVD-1003'],
    ['jiraserver', '&host=https://git.example.com', 'PRVD-1003'],
    ['okta', '', 'PRVD-1008'],
    ['okta', '&hostUrl=https://evil.example.com', 'PRVD-1003'],
  ])('%s with "%s" → %s', async (provider, extra, error) => {
    const before = lab.providers.get(provider)!.control.requests.length;
    const res = await getManual(`${api}/no-auth/provider-auth/${provider}?code=${code}${extra}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/web/error?code=${error}&provider=${provider}`);
    // No call to any host on the way, registered or not.
    expect(lab.providers.get(provider)!.control.requests.length).toBe(before);
  });
});
