/**
 * The HTML forms of a page, read the way a browser reads them (htmlparser2 tokenizes; entities decoded), and
 * the request a browser makes when one is submitted (HTML Living Standard §4.10.21 "Form submission"): the
 * successful controls in document order, the pressed button's name and value, urlencoded.
 */
import { Parser } from 'htmlparser2';

export interface FormControl {
  name: string;
  value: string;
  /** input type (lowercased), or "select" / "textarea". */
  type: string;
}

export interface FormButton {
  /** What the person reads on it: the button's text, or an input's value. */
  label: string;
  name?: string;
  value?: string;
}

export interface HtmlForm {
  /** The action attribute as written (resolved against the page URL on submission); "" means the page itself. */
  action: string;
  method: 'GET' | 'POST';
  controls: FormControl[];
  buttons: FormButton[];
}

export interface HtmlPage {
  forms: HtmlForm[];
  /**
   * The page submits its first form by script as soon as it loads (OAuth 2.0 Form Post Response Mode, SAML
   * POST binding): `document.forms[0].submit()` or an onload doing the same.
   */
  autoSubmits: boolean;
}

const SUBMIT_BY_SCRIPT = /\.submit\s*\(\s*\)/;
const UNSUBMITTED = new Set(['submit', 'button', 'image', 'reset', 'file']);

/** Reads the forms of a page. */
export function readPage(html: string): HtmlPage {
  const forms: HtmlForm[] = [];
  let form: HtmlForm | undefined;
  let button: (FormButton & { text: string }) | undefined;
  let textarea: FormControl | undefined;
  let inScript = false;
  let autoSubmits = false;
  const parser = new Parser(
    {
      onopentag(name, a) {
        if (name === 'body' && SUBMIT_BY_SCRIPT.test(a.onload ?? '')) autoSubmits = true;
        if (name === 'script') inScript = true;
        if (name === 'form') {
          form = {
            action: a.action ?? '',
            method: a.method?.toUpperCase() === 'POST' ? 'POST' : 'GET',
            controls: [],
            buttons: [],
          };
          forms.push(form);
        }
        if (form === undefined) return;
        if (name === 'input') {
          const type = (a.type ?? 'text').toLowerCase();
          if (type === 'submit' || type === 'image') form.buttons.push({ label: a.value ?? 'Submit', ...named(a) });
          else if (a.name !== undefined && !UNSUBMITTED.has(type)) {
            const checkable = type === 'checkbox' || type === 'radio';
            if (!checkable || a.checked !== undefined)
              form.controls.push({ name: a.name, value: a.value ?? (checkable ? 'on' : ''), type });
          }
        }
        if (name === 'button' && (a.type ?? 'submit').toLowerCase() === 'submit')
          button = { label: '', text: '', ...named(a) };
        if (name === 'textarea' && a.name !== undefined) {
          textarea = { name: a.name, value: '', type: 'textarea' };
          form.controls.push(textarea);
        }
      },
      ontext(text) {
        if (inScript && SUBMIT_BY_SCRIPT.test(text)) autoSubmits = true;
        if (button) button.text += text;
        if (textarea) textarea.value += text;
      },
      onclosetag(name) {
        if (name === 'script') inScript = false;
        if (name === 'textarea') textarea = undefined;
        if (name === 'button' && button && form) {
          const { text, ...rest } = button;
          form.buttons.push({ ...rest, label: text.replace(/\s+/g, ' ').trim() });
          button = undefined;
        }
        if (name === 'form') form = undefined;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return { forms, autoSubmits: autoSubmits && forms.length > 0 };
}

function named(a: Record<string, string>): { name?: string; value?: string } {
  return {
    ...(a.name === undefined ? {} : { name: a.name }),
    ...(a.name === undefined || a.value === undefined ? {} : { value: a.value }),
  };
}

export interface FormSubmission {
  method: 'GET' | 'POST';
  /** The action resolved against the page; a GET form's data replaces its query. */
  url: string;
  /** application/x-www-form-urlencoded body of a POST form. */
  body?: string;
}

/** The request of submitting `form` of the page at `pageUrl`, `values` overriding its controls, `button` pressed. */
export function submission(
  form: HtmlForm,
  pageUrl: string,
  values: Readonly<Record<string, string>> = {},
  button?: FormButton,
): FormSubmission {
  const data = new URLSearchParams();
  const filled = new Set<string>();
  for (const c of form.controls) {
    const own = Object.hasOwn(values, c.name) && !filled.has(c.name);
    if (own) filled.add(c.name);
    data.append(c.name, own ? (values[c.name] ?? '') : c.value);
  }
  for (const [k, v] of Object.entries(values)) if (!filled.has(k)) data.append(k, v);
  if (button?.name !== undefined) data.append(button.name, button.value ?? '');
  const url = new URL(form.action, pageUrl);
  url.hash = '';
  if (form.method === 'GET') {
    url.search = data.toString();
    return { method: 'GET', url: url.href };
  }
  return { method: 'POST', url: url.href, body: data.toString() };
}
