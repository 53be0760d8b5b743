/** Words that, in a var's name, say its value is a credential. */
const SECRET_WORDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'key', 'apikey', 'credential', 'credentials', 'private', 'pat'];

/**
 * True for names such as `github_token`, `db.password`, `awsSecretAccessKey` or `private-key`.
 * Words are compared whole (or as a suffix, `apitoken`), so `monkey` or `keyboard_layout` are not
 * flagged.
 */
export function looksLikeSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  return words.some((word) => SECRET_WORDS.includes(word) || ['token', 'password', 'secret', 'apikey'].some((suffix) => word.endsWith(suffix)));
}
