import { z } from 'zod';

/**
 * Error codes the server sends as `{"type":"error","code":…,"message":…}` on the
 * chat, feed and broadcast endpoints. Codes are stable: clients and lessons
 * switch on them; the message is for people and may change.
 */
export const ERROR_CODES = {
  /** A frame that starts with `{` is not valid JSON. */
  badJson: 'bad_json',
  /** Valid JSON, but not the shape its `type` requires (a field missing or of the wrong type). */
  badMessage: 'bad_message',
  /** JSON whose `type` the endpoint does not know. */
  unknownType: 'unknown_type',
  /** A private message to a name nobody in the room has. */
  unknownUser: 'unknown_user',
  /** A chat text longer than the limit. */
  tooLong: 'too_long',
  /** A chat text that is empty or only whitespace. */
  emptyText: 'empty_text',
  /** Sent faster than the rate limit allows; the message was dropped. */
  rateLimited: 'rate_limited',
  /** A feed topic that does not exist. */
  unknownTopic: 'unknown_topic',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

const errorCodeValues = Object.values(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const errorMessageSchema = z.object({
  type: z.literal('error').describe('Always "error".'),
  code: z.enum(errorCodeValues).describe('Stable machine-readable code; see ERROR_CODES.'),
  message: z.string().describe('A sentence for people; wording may change between versions.'),
});

export type ErrorMessage = z.infer<typeof errorMessageSchema>;

/** JSON body of an HTTP refusal (400, 401, 403, 404, 409, 413, 426, 503). */
export const httpErrorSchema = z.object({
  error: z.string().describe('Short machine-readable reason, e.g. "name_taken".'),
  message: z.string().describe('A sentence for people.'),
});

export type HttpError = z.infer<typeof httpErrorSchema>;
