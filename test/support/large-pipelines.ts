/**
 * Large pipelines the web UI's benchmark and browser tests load: the sizes the UI must stay
 * fast at (issue 17).
 */

/**
 * `jobs / 10` chains of 10 jobs: a chain's first job gets 6 resources, the next eight one more
 * each and the first one through `passed`, the last puts one; `resources` mock resources in
 * all (15 per chain are used, the rest stand alone).
 */
export function chainedPipeline(jobs: number, resources: number): string {
  const lines = ['resources:'];
  for (let r = 0; r < resources; r++) lines.push(`- name: res-${r}`, '  type: mock', '  source: {no_initial_version: true}');
  lines.push('jobs:');
  let r = 0;
  for (let c = 0; c < jobs / 10; c++) {
    for (let s = 0; s < 10; s++) {
      lines.push(`- name: job-${c}-${s}`, '  plan:');
      if (s === 0) for (let k = 0; k < 6; k++) lines.push(`  - get: res-${r++}`, '    trigger: true');
      else {
        lines.push(`  - get: res-${(c * 15) % resources}`, '    trigger: true', `    passed: [job-${c}-${s - 1}]`);
        if (s < 9) lines.push(`  - get: res-${r++}`);
      }
      if (s === 9) lines.push(`  - put: res-${r++}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A job `log` whose task prints `line 1` to `line N` (a host task: no image). */
export function logPipeline(lines: number): string {
  return `jobs:
- name: log
  plan:
  - task: print
    config:
      platform: linux
      run: {path: sh, args: [-c, 'seq ${lines} | sed "s/^/line /"']}
`;
}
