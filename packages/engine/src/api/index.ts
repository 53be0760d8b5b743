export { startApiServer, type ApiServer, type ApiServerOptions } from './api-server.js';
export { ensureApiToken, API_TOKEN_FILE } from './api-token.js';
