import { z } from 'zod';
import { LIMITS } from './constants.ts';
import { errorMessageSchema } from './errors.ts';

/**
 * The `/feed` protocol: topics, query parameters, commands and pushed ticks.
 */

/** Query parameters of `/feed`. */
export const FEED_PARAMS = { topics: 'topics', since: 'since' } as const;

/** Simulated prices (fictional companies), one tick per second each. */
export const TICKER_TOPICS = ['acme', 'globex', 'initech'] as const;

export const FEED_TOPICS = {
  acme: { periodMs: 1_000, about: 'Simulated price of ACME (a random walk), once a second.' },
  globex: { periodMs: 1_000, about: 'Simulated price of GLOBEX (a random walk), once a second.' },
  initech: { periodMs: 1_000, about: 'Simulated price of INITECH (a random walk), once a second.' },
  server: { periodMs: 1_000, about: "The companion server's own figures (connections, memory, event-loop lag), once a second." },
  fast: { periodMs: 100, about: 'A wave with noise, ten times a second, for load and slow-consumer demos.' },
} as const;

export type FeedTopic = keyof typeof FEED_TOPICS;
export const FEED_TOPIC_NAMES = Object.keys(FEED_TOPICS) as [FeedTopic, ...FeedTopic[]];

/** Topics a client gets when it does not say: the tickers. */
export const DEFAULT_FEED_TOPICS: readonly FeedTopic[] = TICKER_TOPICS;

export const feedTopicSchema = z.enum(FEED_TOPIC_NAMES).describe('A feed topic name.');

export const serverFiguresSchema = z.object({
  connections: z.number().int().nonnegative().describe('Open WebSocket connections, all endpoints.'),
  rssBytes: z.number().int().nonnegative().describe('Resident memory of the server process, bytes.'),
  heapUsedBytes: z.number().int().nonnegative().describe('JavaScript heap in use, bytes.'),
  eventLoopLagMs: z.number().nonnegative().describe('Mean event-loop delay over the last second, milliseconds.'),
});

export type ServerFigures = z.infer<typeof serverFiguresSchema>;

export const tickSchema = z.object({
  type: z.literal('tick').describe('One value of one topic.'),
  seq: z
    .number()
    .int()
    .positive()
    .describe('The feed\'s sequence number: shared by all clients and topics, +1 per tick produced.'),
  ts: z.number().describe('Server time the tick was produced, milliseconds since the Unix epoch.'),
  topic: feedTopicSchema,
  value: z
    .union([z.number(), serverFiguresSchema])
    .describe('A number for the tickers and `fast`; an object of figures for `server`.'),
});

export type Tick = z.infer<typeof tickSchema>;

// ---- client → server --------------------------------------------------------

const topicList = z.array(z.string()).describe('Topic names to add or remove.');

export const feedSubscribeSchema = z.object({
  type: z.literal('subscribe').describe('Add topics.'),
  topics: topicList,
});

export const feedUnsubscribeSchema = z.object({
  type: z.literal('unsubscribe').describe('Remove topics.'),
  topics: topicList,
});

export const feedCommandSchema = z.discriminatedUnion('type', [feedSubscribeSchema, feedUnsubscribeSchema]);
export type FeedCommand = z.infer<typeof feedCommandSchema>;
export const FEED_COMMAND_TYPES = ['subscribe', 'unsubscribe'] as const;

// ---- server → client --------------------------------------------------------

export const feedSubscribedSchema = z.object({
  type: z.literal('subscribed').describe('Answer to subscribe/unsubscribe.'),
  topics: z.array(feedTopicSchema).describe('Every topic the connection now receives, in topic order.'),
});

export const feedResumedSchema = z.object({
  type: z.literal('resumed').describe('Sent once after the replay of a `?since=` connection, before live ticks.'),
  since: z.number().int().nonnegative().describe('The `since` the client gave.'),
  replayed: z.number().int().nonnegative().describe('How many ticks were replayed.'),
  complete: z
    .boolean()
    .describe(`False when ticks after \`since\` had already left the ${LIMITS.feedReplay}-tick buffer: some were lost.`),
});

export const feedServerMessageSchema = z.discriminatedUnion('type', [
  tickSchema,
  feedSubscribedSchema,
  feedResumedSchema,
  errorMessageSchema,
]);

export type FeedSubscribed = z.infer<typeof feedSubscribedSchema>;
export type FeedResumed = z.infer<typeof feedResumedSchema>;
export type FeedServerMessage = z.infer<typeof feedServerMessageSchema>;
