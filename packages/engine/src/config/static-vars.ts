import { setOwn, setVar } from './set-var.js';
import { readYaml } from './yaml-source.js';
import { error, type Problem } from './problem.js';
import type { StaticVars } from './vars.js';

export { setVar };

export type VarFlag =
  | { kind: 'string'; text: string }
  | { kind: 'yaml'; text: string }
  | { kind: 'file'; path: string; text: string };

/**
 * Builds the static vars from command-line flags, later flags winning:
 * `-v k=v` (a string), `-y k=yaml` (parsed as YAML), `-l file.yml` (a YAML mapping of vars).
 */
export function varsFromFlags(flags: readonly VarFlag[]): { vars: StaticVars; problems: Problem[] } {
  const vars: StaticVars = {};
  const problems: Problem[] = [];
  for (const flag of flags) {
    if (flag.kind === 'file') {
      const read = readYaml(flag.text);
      const bad = read.problems.filter((p) => p.severity === 'error');
      if (bad.length > 0) {
        problems.push(...bad.map((p) => ({ ...p, file: flag.path })));
        continue;
      }
      if (read.value === null || read.value === undefined) continue;
      if (typeof read.value !== 'object' || Array.isArray(read.value)) {
        problems.push({ ...error('vars-file-not-mapping', [], 'a vars file must be a mapping of var names to values', 'write `name: value` lines'), file: flag.path, line: 1, column: 1 });
        continue;
      }
      for (const [k, v] of Object.entries(read.value)) setOwn(vars, k, v);
      continue;
    }
    const eq = flag.text.indexOf('=');
    if (eq <= 0) {
      problems.push(error('var-flag-invalid', [], `"${flag.text}" is not name=value`, flag.kind === 'string' ? 'write -v name=value' : 'write -y name=yaml'));
      continue;
    }
    const name = flag.text.slice(0, eq);
    const raw = flag.text.slice(eq + 1);
    if (flag.kind === 'string') {
      setVar(vars, name, raw);
      continue;
    }
    const read = readYaml(raw);
    const bad = read.problems.filter((p) => p.severity === 'error');
    if (bad.length > 0) {
      problems.push(error('var-flag-invalid', [], `the YAML value of -y ${name} does not parse: ${bad[0]?.message}`, 'quote the value for your shell, e.g. -y \'name={a: 1}\''));
      continue;
    }
    setVar(vars, name, read.value);
  }
  return { vars, problems };
}
