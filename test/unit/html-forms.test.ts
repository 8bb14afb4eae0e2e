/** Reading a page's forms and building the request a browser makes when one is submitted (HTML §4.10.21). */
import { describe, expect, it } from 'vitest';
import { readPage, submission } from '../../src/agent-sim/html-forms.js';

describe('readPage', () => {
  it('reads controls in order, the buttons with their labels, and decodes entities', () => {
    const page = readPage(`<form method="POST" action="/s?x=1&amp;y=2">
      <input type="hidden" name="request" value="a&amp;b">
      <input name="username"><input type="password" name="password">
      <input type="checkbox" name="remember"><input type="checkbox" name="terms" value="yes" checked>
      <textarea name="note">hi &lt;there&gt;</textarea>
      <button type="button">Show password</button>
      <button name="decision" value="allow"> Sign
        in </button><input type="submit" value="Cancel">
    </form>`);
    expect(page.autoSubmits).toBe(false);
    expect(page.forms).toEqual([
      {
        action: '/s?x=1&y=2',
        method: 'POST',
        controls: [
          { name: 'request', value: 'a&b', type: 'hidden' },
          { name: 'username', value: '', type: 'text' },
          { name: 'password', value: '', type: 'password' },
          { name: 'terms', value: 'yes', type: 'checkbox' },
          { name: 'note', value: 'hi <there>', type: 'textarea' },
        ],
        buttons: [{ label: 'Sign in', name: 'decision', value: 'allow' }, { label: 'Cancel' }],
      },
    ]);
  });

  it.each([
    ['a script', '<script>document.forms[0].submit()</script>'],
    ['an onload', ''],
  ])('sees a form_post page that submits itself by %s', (_how, script) => {
    const body = script === '' ? '<body onload="document.forms[0].submit()">' : '<body>';
    const page = readPage(`${body}<form method="post" action="https://rp/cb"><input type="hidden" name="code" value="c">
      </form>${script}</body>`);
    expect(page.autoSubmits).toBe(true);
  });

  it('does not call a page auto-submitting because a script mentions submit without a form', () => {
    expect(readPage('<script>x.submit()</script>').autoSubmits).toBe(false);
  });
});

describe('submission', () => {
  const form = readPage(`<form method="post" action="session"><input type="hidden" name="r" value="1">
    <input name="username"><input name="password" type="password"><button name="go" value="yes">Sign in</button></form>`)
    .forms[0]!;

  it('fills the values given, keeps the others, adds the pressed button and resolves the action', () => {
    const s = submission(form, 'http://sso/login/page?x=1', { username: 'ada', password: 'p w&d' }, form.buttons[0]);
    expect(s).toEqual({
      method: 'POST',
      url: 'http://sso/login/session',
      body: 'r=1&username=ada&password=p+w%26d&go=yes',
    });
  });

  it('puts a GET form data in the query, replacing the action query', () => {
    const get = { ...form, method: 'GET' as const, action: '/next?old=1' };
    expect(submission(get, 'http://sso/a', { username: 'ada' })).toEqual({
      method: 'GET',
      url: 'http://sso/next?r=1&username=ada&password=',
    });
  });
});
