import { ECHO_PARAMS, ECHO_SPEAKS_MAX, SUBPROTOCOL_PATTERN } from '../../protocol/endpoints.ts';
import type { Admission, Endpoint, HandshakeChoice } from './types.ts';

/**
 * `/` and `/echo`: each message straight back, same type, same bytes. `?deflate`
 * and `?speaks=` change only the handshake (see ECHO_PARAMS).
 */
export function echoEndpoint(): Endpoint {
  return {
    kind: 'echo',
    admit: (params) => {
      const handshake: HandshakeChoice = {};
      if (params.has(ECHO_PARAMS.deflate)) handshake.deflate = true;
      const speaks = params.get(ECHO_PARAMS.speaks);
      if (speaks !== null) {
        const names = speaks.split(',').map((name) => name.trim());
        if (names.length > ECHO_SPEAKS_MAX || !names.every((name) => SUBPROTOCOL_PATTERN.test(name))) {
          return {
            ok: false,
            status: 400,
            error: 'bad_speaks',
            message: `?${ECHO_PARAMS.speaks}= takes up to ${ECHO_SPEAKS_MAX} subprotocol names separated by commas, each a token of 1 to 64 letters, digits or !#$%&'*+-.^_\`|~.`,
          };
        }
        handshake.speaks = names;
      }
      const admission: Admission = {
        ok: true,
        open: (conn) => ({
          message: (data, isBinary) => conn.send(data, isBinary),
          closed: () => {},
        }),
      };
      if (handshake.deflate || handshake.speaks) admission.handshake = handshake;
      return admission;
    },
  };
}
