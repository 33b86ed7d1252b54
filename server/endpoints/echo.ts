import type { Endpoint } from './types.ts';

/** `/` and `/echo`: each message straight back, same type, same bytes. */
export function echoEndpoint(): Endpoint {
  return {
    kind: 'echo',
    admit: () => ({
      ok: true,
      open: (conn) => ({
        message: (data, isBinary) => conn.send(data, isBinary),
        closed: () => {},
      }),
    }),
  };
}
