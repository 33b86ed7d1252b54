import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HOST, DEFAULT_PORT } from '../protocol/endpoints.ts';

const defaultSiteDir = fileURLToPath(new URL('../dist/', import.meta.url));

/**
 * Every option of the companion server with its default. The CLI, the tests and
 * `npm start` all build a config through this schema, so a default lives here only.
 */
export const configSchema = z
  .object({
    port: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0 to 65535')
      .max(65535, 'must be 0 to 65535')
      .default(DEFAULT_PORT)
      .describe('TCP port to listen on; 0 picks a free one.'),
    host: z
      .string()
      .min(1)
      .default(DEFAULT_HOST)
      .describe('Interface to bind. Loopback by default: the server is for this machine only.'),
    siteDir: z
      .string()
      .default(defaultSiteDir)
      .describe('Folder of the built site to serve (the output of `astro build`).'),
    logLevel: z
      .enum(['silent', 'error', 'info', 'debug'])
      .default('info')
      .describe('Least severe log line to print.'),
  })
  .strict();

export type ServerConfig = z.infer<typeof configSchema>;
export type ServerOptions = z.input<typeof configSchema>;

export function resolveConfig(options: ServerOptions = {}): ServerConfig {
  return configSchema.parse(options);
}
