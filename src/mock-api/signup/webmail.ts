/**
 * Webmail domains (contract §5 "Account info": isWebmail; the real server checks the email's domain against its
 * list in etc/webmail_companies.js). A webmail user is never offered companies by domain. The lab's list holds
 * the common public providers, enough for its identities.
 */
const WEBMAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'msn.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mail.com',
  'gmx.com',
  'protonmail.com',
  'proton.me',
  'yandex.com',
  'zoho.com',
]);

/** The lowercased domain of an email, or '' when it has none. */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).toLowerCase();
}

export function isWebmail(email: string): boolean {
  return WEBMAIL_DOMAINS.has(emailDomain(email));
}
