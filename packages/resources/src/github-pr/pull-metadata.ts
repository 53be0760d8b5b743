import type { MetadataField } from '../interface.js';
import type { PullSummary } from './github-api.js';
import type { PrVersion } from './source.js';

/** What a get writes under `.git/resource/` and shows next to the version; the file names are telia's. */
export function pullMetadata(pull: PullSummary, version: PrVersion, baseSha: string): MetadataField[] {
  return [
    { name: 'pr', value: version.pr },
    { name: 'title', value: pull.title },
    { name: 'url', value: pull.url },
    { name: 'head_name', value: pull.headRef },
    { name: 'head_sha', value: version.commit },
    { name: 'base_name', value: pull.baseRef },
    { name: 'base_sha', value: baseSha },
    { name: 'author', value: pull.author },
    { name: 'state', value: version.state },
    { name: 'committed', value: version.committed },
  ];
}
