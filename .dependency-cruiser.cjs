// The import rules of the house (DESIGN.md), checked by `npm run check`: no import circle anywhere, the
// server's layers import only downwards (protocol/config -> state -> realtime -> cluster -> http ->
// server -> index; metrics.ts is a leaf beside the config), the contract package imports no app code, the SPA no server code, and the client's
// WebRTC layer no Vue. Type-only imports count: a circle of types is still a circle to read.
const SERVER = "^server/src/";
/**
 * http/proxy.ts is a leaf (which proxies to trust, what origin a request came from) that the config's
 * TRUST_PROXY parsing and the socket handshake's Origin check share with the HTTP edge.
 */
const SHARED_LEAF = "^server/src/http/proxy\\.ts$";
/** A server layer may import its own and lower layers only; `above` lists what lies over it. */
const layer = (name, from, above) => ({
  name,
  severity: "error",
  comment: `${from} is below ${above}: it may not import them (DESIGN.md: protocol/config -> state -> realtime -> cluster -> http -> server -> index)`,
  from: { path: `${SERVER}${from}` },
  to: { path: `${SERVER}(${above})`, pathNot: SHARED_LEAF },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle: the modules cannot be read, tested or changed one at a time.",
      from: {},
      to: { circular: true },
    },
    layer(
      "state-below-realtime",
      "state/",
      "realtime/|cluster/|http/|app\\.ts|server\\.ts|lifecycle\\.ts|index\\.ts",
    ),
    layer(
      "realtime-below-cluster",
      "realtime/",
      "cluster/|http/|app\\.ts|server\\.ts|lifecycle\\.ts|index\\.ts",
    ),
    layer("cluster-below-http", "cluster/", "http/|app\\.ts|server\\.ts|lifecycle\\.ts|index\\.ts"),
    layer("http-below-server", "(http/|app\\.ts)", "server\\.ts|lifecycle\\.ts|index\\.ts"),
    layer(
      "config-at-the-bottom",
      "(config|limit-families|logger|metrics)\\.ts",
      "state/|realtime/|cluster/|http/|app\\.ts|server\\.ts|index\\.ts",
    ),
    {
      name: "protocol-imports-no-app",
      severity: "error",
      comment: "The contract package is shared by server, SPA, tests and bench: it imports none of them.",
      from: { path: "^packages/protocol/" },
      to: { path: "^(server|client|e2e|scripts)/" },
    },
    {
      name: "client-imports-no-server",
      severity: "error",
      comment: "The SPA shares the contract through @videochat/protocol only, never the server's code.",
      from: { path: "^client/" },
      to: { path: "^server/" },
    },
    {
      name: "webrtc-without-vue",
      severity: "error",
      comment: "client/src/webrtc is framework-free (DESIGN.md): stores and components drive it.",
      from: { path: "^client/src/webrtc/" },
      to: {
        path: [
          "node_modules/(vue|pinia|@vue|vue-router)/",
          "^client/src/(stores|components|views)/",
          "\\.vue$",
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules|coverage|test-artifacts|\\.cluster)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      mainFields: ["module", "main", "types"],
      extensions: [".ts", ".vue", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
