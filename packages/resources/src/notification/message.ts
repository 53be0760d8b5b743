import type { BuildMetadata } from '../interface.js';

export const DEFAULT_TEXT = '$BUILD_PIPELINE_NAME/$BUILD_JOB_NAME #$BUILD_NAME $BUILD_STATUS: $BUILD_URL';

/** The variables a message may use: the ones Concourse gives tasks, and the build's status. */
export function messageVariables(build: BuildMetadata, status: string): Record<string, string> {
  return {
    BUILD_ID: String(build.buildId),
    BUILD_NAME: build.buildName,
    BUILD_JOB_NAME: build.jobName,
    BUILD_PIPELINE_NAME: build.pipelineName,
    BUILD_TEAM_NAME: build.teamName,
    BUILD_URL: build.url,
    ATC_EXTERNAL_URL: build.externalUrl ?? '',
    BUILD_STATUS: status,
    ...(build.pipelineInstanceVars && { BUILD_PIPELINE_INSTANCE_VARS: JSON.stringify(build.pipelineInstanceVars) }),
  };
}

/**
 * `$NAME` and `${NAME}` replaced by the variables. Unknown names stay as written: a message
 * about `$HOME` or a price of `$5` is sent as the user wrote it, not emptied as envsubst would.
 */
export function renderText(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const value = variables[(braced ?? bare) as string];
    return value ?? whole;
  });
}

export interface SlackFields {
  channel?: string;
  username?: string;
  icon_url?: string;
  icon_emoji?: string;
}

/** The request body in the source's format. */
export function notificationPayload(format: 'json' | 'slack', text: string, status: string, build: BuildMetadata, slack: SlackFields): Record<string, unknown> {
  if (format === 'slack') {
    const { channel, username, icon_url, icon_emoji } = slack;
    return { text, ...(channel && { channel }), ...(username && { username }), ...(icon_url && { icon_url }), ...(icon_emoji && { icon_emoji }) };
  }
  return {
    text,
    status,
    build: {
      team: build.teamName,
      pipeline: build.pipelineName,
      ...(build.pipelineInstanceVars && { instance_vars: build.pipelineInstanceVars }),
      job: build.jobName,
      name: build.buildName,
      id: build.buildId,
      url: build.url,
    },
  };
}
