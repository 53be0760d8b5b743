import { Type } from '@sinclair/typebox';

// Small schema builders shared by every part of the pipeline format. Each one
// takes the description because an editor shows it on hover, and the same shape
// means something different depending on where it sits.
//
// Scalars stay typed as what Concourse finally expects (boolean, integer...):
// the loader deals with fields whose whole value is a `((var))` before the
// schema sees them, so nothing here widens a type to admit var syntax.

/**
 * A Go duration such as `30s`, `1h30m` or `168h`. Only its type is checked here;
 * the semantic layer parses it, so a bad unit is reported with the field's name.
 */
export function Duration(description: string) {
  return Type.String({ description });
}

/**
 * A string limited to fixed words, emitted as a plain `enum` (rather than a union
 * of constants) so editors list the words as completions and ajv reports one error.
 */
export function StringEnum<const Values extends readonly [string, ...string[]]>(
  values: Values,
  description: string,
) {
  return Type.Unsafe<Values[number]>({ type: 'string', enum: [...values], description });
}

/** A map whose content belongs to someone else (a resource type, a var source, a template). */
export function FreeForm(description: string) {
  return Type.Record(Type.String(), Type.Unknown(), { description });
}

/** A map from names to strings, e.g. artifact renames. */
export function StringMap(description: string) {
  return Type.Record(Type.String(), Type.String(), { description });
}

/** A list of strings, e.g. job names or file paths. */
export function StringList(description: string) {
  return Type.Array(Type.String(), { description });
}

/**
 * A resource version: string keys and string values, exactly as the resource
 * reported it. Concourse refuses non-string values here, so the schema does too.
 */
export function Version(description: string) {
  return StringMap(description);
}

/** Worker tags: only workers advertising every listed tag may run the work. */
export function Tags(description: string) {
  return StringList(description);
}

/** Arbitrary configuration handed to a resource type or prototype unchanged. */
export function Params(description: string) {
  return FreeForm(description);
}
