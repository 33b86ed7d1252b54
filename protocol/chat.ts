import { z } from 'zod';
import { LIMITS } from './constants.ts';
import { errorMessageSchema } from './errors.ts';

/**
 * The `/chat` protocol: query parameters, what a client may send, what the
 * server sends, and the token API. Server and browser validate with these.
 */

/** Query parameters of `/chat`. */
export const CHAT_PARAMS = { name: 'name', token: 'token' } as const;

/** 1–24 letters, digits, `_` or `-`. */
export const CHAT_NAME_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.chatNameMaxLength}}$`);

/** Prefix of the names given to clients that connect without one: guest-1, guest-2, … */
export const GUEST_PREFIX = 'guest-';

export const chatNameSchema = z
  .string()
  .regex(CHAT_NAME_PATTERN, `1 to ${LIMITS.chatNameMaxLength} letters, digits, "_" or "-"`)
  .describe(`A chat name: 1 to ${LIMITS.chatNameMaxLength} letters, digits, "_" or "-".`);

const text = z.string().describe(`The message text; at most ${LIMITS.chatTextMaxLength} characters, not blank.`);

// ---- client → server --------------------------------------------------------

export const chatSendSchema = z.object({
  type: z.literal('message').describe('A public line for everyone else in the room.'),
  text,
});

export const chatPrivateSendSchema = z.object({
  type: z.literal('private').describe('A line for one user only.'),
  to: z.string().describe('Name of the recipient.'),
  text,
});

export const chatCommandSchema = z.discriminatedUnion('type', [chatSendSchema, chatPrivateSendSchema]);
export type ChatCommand = z.infer<typeof chatCommandSchema>;

/** The `type` values a client may send; anything else is `unknown_type`. */
export const CHAT_COMMAND_TYPES = ['message', 'private'] as const;

// ---- server → client --------------------------------------------------------

export const chatMessageSchema = z.object({
  type: z.literal('message').describe('A public line from another user.'),
  id: z.number().int().positive().describe('Room-wide message number, increasing by one per public message.'),
  from: z.string().describe('Name of the sender.'),
  text: z.string().describe('The text as sent.'),
  ts: z.number().describe('Server time the message was relayed, milliseconds since the Unix epoch.'),
});

export const chatPrivateSchema = z.object({
  type: z.literal('private').describe('A line sent to you alone.'),
  from: z.string().describe('Name of the sender.'),
  text: z.string().describe('The text as sent.'),
  ts: z.number().describe('Server time the message was relayed, milliseconds since the Unix epoch.'),
});

export const chatWelcomeSchema = z.object({
  type: z.literal('welcome').describe('First frame after connecting.'),
  you: z.string().describe('Your name in the room (the one you asked for, or guest-N).'),
  users: z.array(z.string()).describe('Everyone in the room now, you included, in joining order.'),
  history: z
    .array(chatMessageSchema)
    .describe(`The last public messages (at most ${LIMITS.chatHistory}), oldest first.`),
});

export const chatJoinSchema = z.object({
  type: z.literal('join').describe('Someone else entered the room.'),
  name: z.string().describe('Their name.'),
});

export const chatLeaveSchema = z.object({
  type: z.literal('leave').describe('Someone else left the room.'),
  name: z.string().describe('Their name.'),
});

export const chatServerMessageSchema = z.discriminatedUnion('type', [
  chatWelcomeSchema,
  chatJoinSchema,
  chatLeaveSchema,
  chatMessageSchema,
  chatPrivateSchema,
  errorMessageSchema,
]);

export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ChatPrivate = z.infer<typeof chatPrivateSchema>;
export type ChatWelcome = z.infer<typeof chatWelcomeSchema>;
export type ChatServerMessage = z.infer<typeof chatServerMessageSchema>;

// ---- POST /api/token --------------------------------------------------------

export const tokenRequestSchema = z.object({
  name: chatNameSchema,
});

export const tokenResponseSchema = z.object({
  token: z.string().describe('Pass it as `/chat?token=…` to join under `name`.'),
  name: z.string().describe('The name the token is for.'),
  expiresAt: z.number().describe('When the token stops working, milliseconds since the Unix epoch.'),
});

export type TokenRequest = z.infer<typeof tokenRequestSchema>;
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** `--auth` modes: `optional` lets anyone in by name; `required` admits only valid tokens. */
export const AUTH_MODES = ['optional', 'required'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
