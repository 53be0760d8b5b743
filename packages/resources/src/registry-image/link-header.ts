/**
 * The target of the `rel="next"` link in an RFC 8288 `Link` header, as registries send it to
 * page through a tag list: `</v2/name/tags/list?last=x&n=100>; rel="next"`.
 */
export function nextLink(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,<]+)*)/g)) {
    const params = match[2] ?? '';
    for (const param of params.split(';')) {
      const [name, raw] = param.split('=', 2).map((part) => part.trim());
      if (name?.toLowerCase() !== 'rel' || raw === undefined) continue;
      const rels = raw.replace(/^"|"$/g, '').toLowerCase().split(/\s+/);
      if (rels.includes('next')) return match[1];
    }
  }
  return undefined;
}
