/**
 * Messaging channels (Telegram, WhatsApp): the Channel interface, the router that turns inbound messages
 * into agent turns, and the manager that runs the configured accounts. SDKs load only inside their adapters.
 */
export {
  type AccountSnapshot,
  type Channel,
  ChannelApiError,
  type ChannelHost,
  type ChannelId,
  ChannelInputError,
  type ChannelOptions,
  ChannelTransportError,
  CHANNEL_IDS,
  CHANNEL_LABELS,
  DEFAULT_ACCOUNT_ID,
  type InboundMedia,
  type InboundMessage,
  type InboundOutcome,
  isChannelId,
  type LoginStatus,
  NotLinkedError,
  type OutboundMessage,
  type OutboundTarget,
  type SendResult,
} from "./channel.ts";
export { type ChannelFactory, ChannelManager, type ChannelManagerOptions, type SendRequest, UnsupportedChannelError } from "./manager.ts";
export { type AgentTurnRequest, type AgentTurnResult, ChannelRouter, type ChannelRouterOptions, type ChatCommandRequest, coalesce, type HandleChatCommand, type RunAgentTurn, type StopRunsRequest, type StopSessionRuns } from "./router.ts";
