/**
 * Presentation hints for form editors of the config (`config.schema` → `uiHints`): section labels and order,
 * field labels, help, placeholders, and which fields hold secrets. Keys are dotted config paths; array
 * indexes are left out (`agents.list.identity.avatar`) and `*` stands for any map key
 * (`models.providers.*.apiKey`), the way the Control UI looks them up.
 */
import { type JsonSchemaNode, toFormSchema } from "./form-schema.ts";

/** One hint. Every key is optional. */
export interface ConfigUiHint {
  label?: string;
  help?: string;
  group?: string;
  order?: number;
  advanced?: boolean;
  sensitive?: boolean;
  placeholder?: string;
}

/** Top-level sections: label (also the group) and sidebar order. */
const SECTIONS: Record<string, [label: string, order: number]> = {
  wizard: ["Wizard", 20],
  gateway: ["Gateway", 30],
  agents: ["Agents", 40],
  tools: ["Tools", 50],
  bindings: ["Bindings", 55],
  audio: ["Audio", 60],
  models: ["Models", 70],
  messages: ["Messages", 80],
  commands: ["Commands", 85],
  session: ["Session", 90],
  cron: ["Cron", 100],
  hooks: ["Hooks", 110],
  ui: ["UI", 120],
  browser: ["Browser", 130],
  talk: ["Talk", 140],
  channels: ["Messaging Channels", 150],
  skills: ["Skills", 200],
  plugins: ["Plugins", 205],
  discovery: ["Discovery", 210],
  logging: ["Logging", 900],
};

const FIELDS: Record<string, ConfigUiHint> = {
  "gateway.auth.token": { label: "Gateway Token", help: "Clients must present it to connect; needed whenever the gateway listens beyond loopback." },
  "gateway.auth.password": { label: "Gateway Password", help: "Shared password clients may present instead of the token." },
  "gateway.remote.url": { label: "Remote Gateway URL", help: "WebSocket URL of the gateway this install talks to in remote mode.", placeholder: "ws://host:18789" },
  "gateway.remote.token": { label: "Remote Gateway Token" },
  "gateway.remote.password": { label: "Remote Gateway Password" },
  "gateway.remote.tlsFingerprint": { label: "Remote Gateway TLS Fingerprint", help: "Pin the remote gateway's certificate by its sha256 fingerprint.", placeholder: "sha256:ab12cd34…" },
  "gateway.controlUi.basePath": { label: "Control UI Base Path", help: "URL prefix the Control UI is served under.", placeholder: "/openclaw" },
  "gateway.controlUi.root": { label: "Control UI Assets Root", help: "Folder to serve the Control UI from instead of the built-in copy." },
  "gateway.controlUi.allowedOrigins": {
    label: "Control UI Allowed Origins",
    help: "Extra browser origins (scheme://host[:port]) allowed to open Control UI WebSocket connections.",
    placeholder: "https://control.example.com",
  },
  "gateway.controlUi.allowInsecureAuth": { label: "Allow Insecure Control UI Auth", help: "Let the Control UI authenticate with the token alone over plain HTTP. Not recommended." },
  "gateway.controlUi.dangerouslyDisableDeviceAuth": { label: "Dangerously Disable Control UI Device Auth", help: "Skip device identity checks for the Control UI. Dangerous." },
  "gateway.http.endpoints.chatCompletions.enabled": { label: "OpenAI Chat Completions Endpoint", help: "Serve POST /v1/chat/completions (off by default)." },
  "gateway.reload.mode": { label: "Config Reload Mode", help: "How config file changes are applied; hybrid restarts only when a change needs it." },
  "gateway.reload.debounceMs": { label: "Config Reload Debounce (ms)", help: "Quiet time after a config change before it is applied." },
  "gateway.nodes.allowCommands": { label: "Gateway Node Allowlist (Extra Commands)", help: "Node commands allowed on top of the defaults." },
  "gateway.nodes.denyCommands": { label: "Gateway Node Denylist", help: "Node commands refused even when otherwise allowed." },
  "agents.defaults.workspace": { label: "Workspace" },
  "agents.defaults.model.primary": { label: "Primary Model", help: "provider/model used first.", placeholder: "anthropic/claude-opus-4-5" },
  "agents.defaults.model.fallbacks": { label: "Model Fallbacks", help: "provider/model refs tried in order when the primary fails." },
  "agents.defaults.heartbeat.target": { placeholder: "last" },
  "agents.defaults.memorySearch": { label: "Memory Search", help: "Optional embeddings for memory_search (hybrid BM25 + cosine); without a provider, keyword search only. Agents may override it." },
  "agents.defaults.memorySearch.enabled": { label: "Enable Memory Search" },
  "agents.defaults.memorySearch.sources": { label: "Memory Search Sources", help: "Accepted for upstream configs; only memory files are indexed here." },
  "agents.defaults.memorySearch.extraPaths": { label: "Extra Memory Paths", help: "Accepted for upstream configs; not indexed here." },
  "agents.defaults.memorySearch.provider": { label: "Memory Search Provider", help: '"openai": any OpenAI-compatible /embeddings endpoint (see remote.baseUrl). Unset: no embeddings, no network.' },
  "agents.defaults.memorySearch.remote.baseUrl": { label: "Remote Embedding Base URL", placeholder: "http://127.0.0.1:11434/v1" },
  "agents.defaults.memorySearch.remote.apiKey": { label: "Remote Embedding API Key", sensitive: true },
  "agents.defaults.memorySearch.remote.headers": { label: "Remote Embedding Headers", sensitive: true },
  "agents.defaults.memorySearch.model": { label: "Memory Search Model", placeholder: "text-embedding-3-small" },
  "agents.defaults.memorySearch.fallback": { label: "Memory Search Fallback", help: "Accepted for upstream configs; a failing provider always falls back to keyword search here." },
  "agents.defaults.memorySearch.query.maxResults": { label: "Memory Search Max Results" },
  "agents.defaults.memorySearch.query.minScore": { label: "Memory Search Min Score" },
  "agents.defaults.memorySearch.query.hybrid.enabled": { label: "Memory Search Hybrid" },
  "agents.defaults.memorySearch.query.hybrid.vectorWeight": { label: "Memory Search Vector Weight" },
  "agents.defaults.memorySearch.query.hybrid.textWeight": { label: "Memory Search Text Weight" },
  "agents.defaults.memorySearch.query.hybrid.candidateMultiplier": { label: "Memory Search Hybrid Candidate Multiplier" },
  "agents.list.memorySearch.remote.apiKey": { label: "Remote Embedding API Key", sensitive: true },
  "agents.list.memorySearch.remote.headers": { label: "Remote Embedding Headers", sensitive: true },
  "agents.list.model.primary": { label: "Primary Model" },
  "agents.list.model.fallbacks": { label: "Model Fallbacks" },
  "agents.list.identity.avatar": { label: "Agent Avatar", help: "Image path inside the agent workspace, or an http(s)/data URL.", placeholder: "avatars/openclaw.png" },
  "tools.profile": { label: "Tool Profile" },
  "tools.alsoAllow": { label: "Tool Allowlist Additions" },
  "agents.list.tools.profile": { label: "Agent Tool Profile" },
  "agents.list.tools.alsoAllow": { label: "Agent Tool Allowlist Additions" },
  "tools.web.fetch.enabled": { label: "Enable Web Fetch Tool" },
  "tools.web.fetch.maxChars": { label: "Web Fetch Max Chars" },
  "tools.web.fetch.timeoutSeconds": { label: "Web Fetch Timeout (sec)" },
  "tools.web.search.enabled": { label: "Enable Web Search Tool" },
  "tools.web.search.provider": { label: "Web Search Provider" },
  "tools.web.search.apiKey": { label: "Brave Search API Key", help: "Used for web_search; BRAVE_API_KEY in the gateway's environment when unset.", sensitive: true },
  "tools.web.search.maxResults": { label: "Web Search Max Results" },
  "tools.web.search.timeoutSeconds": { label: "Web Search Timeout (sec)" },
  "tools.web.search.cacheTtlMinutes": { label: "Web Search Cache TTL (min)", help: "Minutes this gateway reuses a search answer (default 15; 0 turns the cache off)." },
  "tools.message.crossContext.allowWithinProvider": { label: "Allow Cross-Context (Same Provider)", help: "true lets the agent message any chat on the channel the conversation came from (default false here)." },
  "tools.message.crossContext.allowAcrossProviders": { label: "Allow Cross-Context (Across Providers)", help: "true lets the agent message any chat on any channel (default false)." },
  "tools.exec.host": { label: "Exec Host" },
  "tools.exec.node": { label: "Exec Node Binding" },
  "tools.exec.safeBins": { label: "Exec Safe Bins" },
  "commands.restart": { label: "Allow Restart", help: "Allow /restart and the gateway restart tool (off by default)." },
  "commands.ownerAllowFrom": { label: "Command Owners", help: 'Channel senders who own this gateway, e.g. "telegram:123456789" or "whatsapp:+15551234567" (a bare id matches any channel); they may answer exec approvals with /approve. "*" names nobody.' },
  "browser.evaluateEnabled": { label: "Browser Evaluate Enabled" },
  "browser.snapshotDefaults": { label: "Browser Snapshot Defaults" },
  "browser.snapshotDefaults.mode": { label: "Browser Snapshot Mode" },
  "browser.remoteCdpTimeoutMs": { label: "Remote CDP Timeout (ms)" },
  "browser.remoteCdpHandshakeTimeoutMs": { label: "Remote CDP Handshake Timeout (ms)" },
  "session.dmScope": { label: "DM Session Scope", help: '"main" keeps one conversation for all DMs; the per-* modes give each peer (channel, account) its own history.' },
  "channels.telegram": { label: "Telegram" },
  "channels.whatsapp": { label: "WhatsApp" },
  "channels.telegram.botToken": { label: "Telegram Bot Token" },
  "channels.telegram.customCommands": { label: "Telegram Custom Commands", help: "Extra entries for the bot's command menu." },
  "channels.telegram.dmPolicy": { label: "Telegram DM Policy", help: 'Who may DM the bot; "open" also needs allowFrom ["*"].' },
  "channels.telegram.streamMode": { label: "Telegram Draft Stream Mode", help: "Draft streaming of replies: off, partial or block." },
  "channels.telegram.timeoutSeconds": { label: "Telegram API Timeout (seconds)", help: "Bot API requests are aborted after this long." },
  "channels.telegram.configWrites": { help: "Let Telegram commands change the config (default true)." },
  "channels.whatsapp.dmPolicy": { label: "WhatsApp DM Policy", help: 'Who may DM the account; "open" also needs allowFrom ["*"].' },
  "channels.whatsapp.selfChatMode": { label: "WhatsApp Self-Phone Mode", help: "The bot runs on your own WhatsApp number." },
  "channels.whatsapp.debounceMs": { label: "WhatsApp Message Debounce (ms)", help: "Batch quick successive messages from one sender (0 turns it off)." },
  "channels.whatsapp.configWrites": { help: "Let WhatsApp commands change the config (default true)." },
};

const SECRET_KEY = /(token|password|secret|apikey)$/i;

/**
 * The hints for `schema` (default: the config schema's form view): the section and field tables above, plus
 * `sensitive: true` on every field whose name marks it as a secret (`…token`, `…password`, `…secret`, `apiKey`).
 * Only paths that exist in the schema get a hint.
 */
export function configUiHints(schema: JsonSchemaNode): Record<string, ConfigUiHint> {
  const paths = new Map<string, JsonSchemaNode>();
  collectPaths(schema, [], paths);
  const hints: Record<string, ConfigUiHint> = {};
  for (const [key, [label, order]] of Object.entries(SECTIONS)) if (paths.has(key)) hints[key] = { label, group: label, order };
  for (const [key, hint] of Object.entries(FIELDS)) if (paths.has(key)) hints[key] = { ...hint };
  for (const [key, node] of paths) {
    const last = key.split(".").at(-1) ?? "";
    if (node.type === "string" && SECRET_KEY.test(last) && !/file$/i.test(last)) hints[key] = { ...hints[key], sensitive: true };
  }
  return hints;
}

/** Convenience: the form view of a TypeBox/JSON schema and its hints. */
export function formSchemaWithHints(schema: unknown): { schema: JsonSchemaNode; uiHints: Record<string, ConfigUiHint> } {
  const form = toFormSchema(schema);
  return { schema: form, uiHints: configUiHints(form) };
}

function collectPaths(node: JsonSchemaNode, path: string[], out: Map<string, JsonSchemaNode>): void {
  if (!node || typeof node !== "object") return;
  if (path.length > 0 && !out.has(path.join("."))) out.set(path.join("."), node);
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchemaNode>)) collectPaths(child, [...path, key], out);
  const extra = node.additionalProperties;
  if (extra && typeof extra === "object" && Object.keys(extra).length > 0) collectPaths(extra as JsonSchemaNode, [...path, "*"], out);
  // Array items share their array's path: the Control UI drops indexes when it looks a hint up.
  if (node.items && typeof node.items === "object" && !Array.isArray(node.items)) collectPaths(node.items as JsonSchemaNode, path, out);
}
