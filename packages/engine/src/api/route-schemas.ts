import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';

/** Request shapes shared by the routes: one schema gives both ajv's check and the handler's type. */

const name = (description: string) => Type.String({ minLength: 1, description });

/** A query that refuses keys it does not know: a mistyped `instance_vars` must not address another pipeline. */
export function strictQuery<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false });
}

export const instanceVarsQuery = {
  instance_vars: Type.Optional(Type.String({ description: 'the instance\'s vars as a JSON object' })),
};

export const PipelineParams = Type.Object({ pipeline: name('the pipeline\'s name') });
export type PipelineParams = Static<typeof PipelineParams>;

export const PipelineQuery = strictQuery(instanceVarsQuery);
export type PipelineQuery = Static<typeof PipelineQuery>;

export const JobParams = Type.Object({ pipeline: name('the pipeline\'s name'), job: name('the job\'s name') });
export type JobParams = Static<typeof JobParams>;

export const ResourceParams = Type.Object({ pipeline: name('the pipeline\'s name'), resource: name('the resource\'s name') });
export type ResourceParams = Static<typeof ResourceParams>;

export const BuildParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'the build\'s id' }) });
export type BuildParams = Static<typeof BuildParams>;

export function limit(defaultValue: number, maximum: number) {
  return Type.Integer({ minimum: 1, maximum, default: defaultValue, description: `at most this many, up to ${maximum}` });
}

/** A version as resources report it: string fields. */
export const VersionFields = Type.Record(Type.String(), Type.String(), { minProperties: 1 });
