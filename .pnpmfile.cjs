// pnpm hands install scripts no `nodedir` from .npmrc, and where no prebuilt better-sqlite3
// can be downloaded, node-gyp would try to download Node's headers too. Node installs its
// own headers beside itself (<prefix>/include/node), so point node-gyp at them: the native
// build then needs nothing from the network and nothing exported by hand.
const fs = require('node:fs');
const path = require('node:path');

function nodeHeadersPrefix() {
  const prefix = path.dirname(path.dirname(process.execPath));
  const header = path.join(prefix, 'include', 'node', 'node_version.h');
  return fs.existsSync(header) ? prefix : undefined;
}

module.exports = {
  hooks: {
    updateConfig(config) {
      const prefix = nodeHeadersPrefix();
      if (prefix === undefined || process.env.npm_config_nodedir) return config;
      return { ...config, extraEnv: { ...config.extraEnv, npm_config_nodedir: prefix } };
    },
  },
};
