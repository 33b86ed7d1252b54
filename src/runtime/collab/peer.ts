import * as Y from 'yjs';
import { Throttle, type Clock } from './network.ts';
import { fromBase64, toBase64, type SyncMessage, type UnsentMessage } from './wire.ts';

/**
 * One editor's side of a shared document, with no socket in sight: `send`
 * goes to the network, `receive` is fed with what the network relays.
 *
 * `YjsPeer` keeps the text in a Yjs document (a CRDT). Every character Yjs
 * stores is an item with an id (author, counter) and the ids of the characters
 * to its left and right when it was typed (its origins). Concurrent inserts at
 * one spot are ordered by those origins and, only as a last resort, by author,
 * so a run someone typed left to right stays together, and every copy that has
 * the same items shows the same text, whatever order the updates came in.
 * There is no server order to wait for, and nothing to transform.
 */

/** Transaction origin of updates that came from the network: they are applied, never sent on. */
export const REMOTE = Symbol('remote');
const SEED = Symbol('seed');

/** /broadcast allows 20 messages a second per connection; ten leaves room for sync replies. */
export const MIN_SEND_INTERVAL_MS = 100;

export interface PeerOptions {
  /** The shared document's id (messages about other documents are ignored). */
  doc: string;
  /** This peer's id, unique within the document. */
  id: string;
  send(message: UnsentMessage): void;
  clock: Clock;
  minSendIntervalMs?: number;
}

/**
 * The Yjs update of a document holding `text`. Every peer of one session
 * applies the same bytes, so they start from the same items; inserting the
 * text in each copy separately would make two different items, and the merged
 * document would hold it twice. A real service keeps this on its server.
 */
export function seedUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('text').insert(0, text);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** An update that carries nothing (Yjs encodes one as a few bytes). */
function isEmpty(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

export class YjsPeer {
  readonly doc = new Y.Doc();
  readonly text: Y.Text;
  readonly #options: PeerOptions;
  readonly #throttle: Throttle;
  #outbox: Uint8Array[] = [];

  constructor(options: PeerOptions & { seed?: Uint8Array }) {
    this.#options = options;
    this.text = this.doc.getText('text');
    if (options.seed) Y.applyUpdate(this.doc, options.seed, SEED);
    this.#throttle = new Throttle(options.clock, options.minSendIntervalMs ?? MIN_SEND_INTERVAL_MS, () => this.#flush());
    // Whatever changed here and did not come from the network is news for the others.
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE || origin === SEED) return;
      this.#outbox.push(update);
      this.#throttle.request();
    });
  }

  get id(): string {
    return this.#options.id;
  }

  /** Local changes not yet handed to the network (they wait for the send interval). */
  get waiting(): boolean {
    return this.#outbox.length > 0;
  }

  /** Connected: say what we have, so that peers already there send what we lack. */
  join(): void {
    this.#send({ kind: 'hello', sv: toBase64(Y.encodeStateVector(this.doc)) });
  }

  receive(message: SyncMessage): void {
    if (message.doc !== this.#options.doc || message.from === this.#options.id) return;
    switch (message.kind) {
      case 'update':
        Y.applyUpdate(this.doc, fromBase64(message.update), REMOTE);
        return;
      case 'hello':
        this.#send({
          kind: 'reply',
          to: message.from,
          update: toBase64(Y.encodeStateAsUpdate(this.doc, fromBase64(message.sv))),
          sv: toBase64(Y.encodeStateVector(this.doc)),
        });
        return;
      case 'reply': {
        if (message.to !== this.#options.id) return;
        Y.applyUpdate(this.doc, fromBase64(message.update), REMOTE);
        // What we typed before they could hear us, they still lack.
        const back = Y.encodeStateAsUpdate(this.doc, fromBase64(message.sv));
        if (!isEmpty(back)) this.#send({ kind: 'update', update: toBase64(back) });
        return;
      }
      case 'whole':
        return;
    }
  }

  destroy(): void {
    this.#throttle.cancel();
    this.doc.destroy();
  }

  #flush(): void {
    if (this.#outbox.length === 0) return;
    const update = Y.mergeUpdates(this.#outbox);
    this.#outbox = [];
    this.#send({ kind: 'update', update: toBase64(update) });
  }

  #send(body: DistributiveOmit<UnsentMessage, 'doc' | 'from'>): void {
    this.#options.send({ ...body, doc: this.#options.doc, from: this.#options.id } as UnsentMessage);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The naive way, for comparison: every change sends the whole text, and a
 * copy that arrives replaces whatever this editor shows. Two copies that
 * cross on the way each replace the other side's change.
 */
export class WholeDocPeer {
  readonly #options: PeerOptions;
  readonly #throttle: Throttle;
  #text: string;
  #sent: string;

  constructor(options: PeerOptions & { initial: string }) {
    this.#options = options;
    this.#text = options.initial;
    this.#sent = options.initial;
    this.#throttle = new Throttle(options.clock, options.minSendIntervalMs ?? MIN_SEND_INTERVAL_MS, () => this.#flush());
  }

  get id(): string {
    return this.#options.id;
  }

  get text(): string {
    return this.#text;
  }

  get waiting(): boolean {
    return this.#text !== this.#sent;
  }

  /** The editor now shows `text`: send it (the latest one, at most once an interval). */
  local(text: string): void {
    this.#text = text;
    this.#throttle.request();
  }

  /** Returns the text to show when another editor's copy arrived, else null. */
  receive(message: SyncMessage): string | null {
    if (message.kind !== 'whole' || message.doc !== this.#options.doc || message.from === this.#options.id) return null;
    this.#text = message.whole;
    this.#sent = message.whole;
    return message.whole;
  }

  destroy(): void {
    this.#throttle.cancel();
  }

  #flush(): void {
    if (this.#text === this.#sent) return;
    this.#sent = this.#text;
    this.#options.send({ kind: 'whole', doc: this.#options.doc, from: this.#options.id, whole: this.#text });
  }
}
