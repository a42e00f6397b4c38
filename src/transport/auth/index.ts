/** Bot Framework authentication: inbound (who may post activities) and outbound (the bot's own token). */
export { describeAuthFailure, describeCredential, FailClosedAuthentication, UNAUTHORIZED_MESSAGE } from './fail-closed-authentication';
export type { AuthFailure, FailClosedOptions } from './fail-closed-authentication';
export { botbuilderAppType, createCredentialsFactory, createMsalCredentialsFactory } from './outbound-credentials';
export { boundOpenIdMetadataFetch, channelMetadataUrl, inboundAuthHealth, metadataStatus, warmOpenIdMetadata, type InboundAuthHealth, type MetadataStatus } from './openid-metadata';
