import { TextBinding, diff, moveThroughDelta, type Surface } from './binding.ts';
import { DelayedNetwork, type Clock } from './network.ts';
import { WholeDocPeer, YjsPeer, seedUpdate } from './peer.ts';
import { parseSyncMessage, type SyncMessage, type UnsentMessage } from './wire.ts';

/**
 * Several editors on one page, each a peer with its own socket to /broadcast,
 * as people on different machines would be, behind one simulated network.
 * The page hands in the surfaces, a socket factory and a clock, and renders
 * what `onChange` reports; tests hand in fakes.
 */
export type Mode = 'crdt' | 'whole';

/** The parts of a WebSocket the room uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
}

const OPEN = 1;

export interface EditorState {
  id: string;
  connected: boolean;
  /** This editor's messages still on their way to some other editor, plus changes waiting to leave. */
  outgoing: number;
}

export interface RoomState {
  phase: 'connecting' | 'connected' | 'closed';
  /** Why the room closed: which editor's socket, with what code, and whether it ever opened. */
  closed?: { id: string; code: number; reason: string; everyoneOpened: boolean };
  editors: EditorState[];
  /** Nothing on its way anywhere: every message sent has reached every other editor. */
  quiet: boolean;
  /** Every editor shows the same text. */
  same: boolean;
}

export interface RoomOptions {
  ids: readonly string[];
  surfaces: ReadonlyMap<string, Surface>;
  initial: string;
  mode: Mode;
  clock: Clock;
  /** Milliseconds each message waits on its way out, and again on its way in. */
  delay(): number;
  connect(): SocketLike;
  onChange(state: RoomState): void;
  /** The shared document's id; random by default, so two tabs never share one. */
  docId?: string;
}

interface Editor {
  id: string;
  surface: Surface;
  socket: SocketLike;
  peer: YjsPeer | WholeDocPeer;
  binding: TextBinding | null;
  open: boolean;
  /** This editor's messages still in the simulated delay on their way out. */
  leaving: number;
  /** Messages sent so far (the next one's `seq`). */
  sent: number;
  /** Per sender: `seq`s of messages sent while this editor's socket was open, so due here, not arrived yet. */
  awaited: Map<string, Set<number>>;
  composing: boolean;
  held: SyncMessage[];
}

export class CollabRoom {
  readonly #options: RoomOptions;
  readonly #network: DelayedNetwork;
  readonly #editors: Editor[];
  readonly #doc: string;
  #phase: RoomState['phase'] = 'connecting';
  #closed: RoomState['closed'];

  constructor(options: RoomOptions) {
    this.#options = options;
    this.#doc = options.docId ?? `doc-${crypto.randomUUID()}`;
    this.#network = new DelayedNetwork(options.clock, options.delay);
    const seed = options.mode === 'crdt' ? seedUpdate(options.initial) : undefined;
    this.#editors = options.ids.map((id) => {
      const surface = options.surfaces.get(id);
      if (!surface) throw new Error(`no surface for editor ${id}`);
      surface.replace(options.initial, 0, 0);
      // The peer sends only once its socket opens, by which time the editor exists.
      const self: { editor?: Editor } = {};
      const send = (message: UnsentMessage): void => {
        if (self.editor) this.#send(self.editor, message);
      };
      const peer = seed
        ? new YjsPeer({ doc: this.#doc, id, send, clock: options.clock, seed })
        : new WholeDocPeer({ doc: this.#doc, id, send, clock: options.clock, initial: options.initial });
      const editor: Editor = {
        id,
        surface,
        socket: options.connect(),
        peer,
        binding: peer instanceof YjsPeer ? new TextBinding(peer.text, surface) : null,
        open: false,
        leaving: 0,
        sent: 0,
        awaited: new Map(),
        composing: false,
        held: [],
      };
      self.editor = editor;
      this.#wire(editor);
      return editor;
    });
  }

  get docId(): string {
    return this.#doc;
  }

  /** Can this editor be typed into: its socket is open and the room has not closed. */
  editable(id: string): boolean {
    return this.#phase !== 'closed' && this.#editors.some((e) => e.id === id && e.open);
  }

  /** The editor's surface changed. */
  typed(id: string): void {
    const editor = this.#editor(id);
    if (!editor || editor.composing) return;
    if (editor.binding) editor.binding.typed();
    else if (editor.peer instanceof WholeDocPeer) editor.peer.local(editor.surface.value);
    this.#report();
  }

  /** An input method is composing text: hold what arrives until it is done, then take the composed text. */
  composing(id: string, active: boolean): void {
    const editor = this.#editor(id);
    if (!editor) return;
    editor.composing = active;
    if (active) return;
    this.typed(id);
    for (const message of editor.held.splice(0)) this.#arrived(editor, message);
  }

  /** Closes every socket and drops whatever is on its way. */
  stop(): void {
    this.#network.clear();
    this.#phase = 'closed';
    for (const editor of this.#editors) {
      editor.socket.onclose = null;
      editor.socket.onmessage = null;
      if (editor.socket.readyState <= OPEN) editor.socket.close(1000, 'start over');
      editor.binding?.destroy();
      editor.peer.destroy();
    }
  }

  state(): RoomState {
    const outgoing = (editor: Editor): number => {
      const undelivered = this.#editors.reduce((n, other) => Math.max(n, other.awaited.get(editor.id)?.size ?? 0), 0);
      return editor.leaving + undelivered + (editor.peer.waiting ? 1 : 0);
    };
    const editors = this.#editors.map((e) => ({ id: e.id, connected: e.open, outgoing: outgoing(e) }));
    return {
      phase: this.#phase,
      ...(this.#closed ? { closed: this.#closed } : {}),
      editors,
      quiet: this.#network.holding === 0 && editors.every((e) => e.outgoing === 0) && this.#editors.every((e) => e.held.length === 0),
      same: this.#editors.every((e) => e.surface.value === this.#editors[0]?.surface.value),
    };
  }

  #editor(id: string): Editor | undefined {
    return this.#editors.find((e) => e.id === id);
  }

  #wire(editor: Editor): void {
    const { socket } = editor;
    socket.onopen = () => {
      editor.open = true;
      if (this.#editors.every((e) => e.open)) this.#phase = 'connected';
      if (editor.peer instanceof YjsPeer) editor.peer.join();
      this.#report();
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const message = parseSyncMessage(event.data, this.#doc);
      if (!message || message.from === editor.id) return;
      this.#network.hold(() => {
        if (editor.composing) editor.held.push(message);
        else this.#arrived(editor, message);
      });
      this.#report();
    };
    socket.onclose = (event) => {
      if (this.#phase === 'closed') return;
      const everyoneOpened = this.#editors.every((e) => e.open);
      this.#phase = 'closed';
      this.#closed = { id: editor.id, code: event.code, reason: event.reason, everyoneOpened };
      this.#network.clear();
      this.#report();
    };
  }

  #send(editor: Editor, unsent: UnsentMessage): void {
    const message = { ...unsent, seq: editor.sent++ } as SyncMessage;
    editor.leaving += 1;
    const socket = editor.socket;
    this.#network.hold(() => {
      editor.leaving -= 1;
      if (socket.readyState === OPEN) {
        socket.send(JSON.stringify(message));
        // /broadcast relays to every socket open now; one that opens later never sees this message.
        for (const other of this.#editors) {
          if (other === editor || !other.open) continue;
          const awaited = other.awaited.get(editor.id) ?? new Set<number>();
          other.awaited.set(editor.id, awaited.add(message.seq));
        }
      }
      this.#report();
    });
    this.#report();
  }

  #arrived(editor: Editor, message: SyncMessage): void {
    editor.awaited.get(message.from)?.delete(message.seq);
    if (editor.peer instanceof YjsPeer) editor.peer.receive(message);
    else {
      const text = editor.peer.receive(message);
      if (text !== null) {
        // The naive way replaces the text; keep the selection near where it was.
        const { surface } = editor;
        const change = diff(surface.value, text);
        const delta = change ? [{ retain: change.pos }, { delete: change.remove }, { insert: change.insert }] : [];
        surface.replace(text, moveThroughDelta(surface.selectionStart, delta), moveThroughDelta(surface.selectionEnd, delta));
      }
    }
    this.#report();
  }

  #report(): void {
    this.#options.onChange(this.state());
  }
}
