import {
  CHAT_COMMAND_TYPES,
  CHAT_NAME_PATTERN,
  chatCommandSchema,
  GUEST_PREFIX,
  type ChatMessage,
  type ChatServerMessage,
} from '../../protocol/chat.ts';
import { LIMITS } from '../../protocol/constants.ts';
import { ERROR_CODES, type ErrorCode } from '../../protocol/errors.ts';
import type { Clock } from './clock.ts';
import { MemoryBus, type Bus, type Roster } from '../scale/bus.ts';
import { Ring } from './ring.ts';

/** One person in the room. `deliver` gets the JSON text of a message. */
export interface ChatMember {
  readonly name: string;
  /**
   * `fanout` is true for messages caused by someone else (lines, joins,
   * leaves): those may be dropped for a slow consumer. Replies to the member's
   * own action (welcome, errors) are not.
   */
  deliver(json: string, fanout: boolean): void;
  /** Another process took the name first (several processes only): the endpoint closes the connection. */
  refused?(message: string): void;
}

export type Admission =
  | { ok: true; name: string }
  | { ok: false; status: 400 | 409; error: 'bad_name' | 'name_taken'; message: string };

export interface ChatRoomOptions {
  now: Clock;
  historySize: number;
  textMaxLength: number;
  /** Where the room's events go and come back from; one process on its own by default. */
  bus?: Bus;
}

/**
 * The bus channel of the room. Each message on it is a route line, then JSON:
 * `room <name>` (to everyone but <name>; a join adds its process), `to <name>`
 * (a private message) or `here <process>` (the names that process holds).
 */
const CHANNEL = 'chat';
const route = (kind: 'room' | 'to' | 'here', name: string, owner?: string): string => `${kind} ${name}${owner === undefined ? '' : ` ${owner}`}\n`;

/**
 * A chat room with no sockets in it: names, presence, history and routing.
 * The /chat endpoint binds it to connections; tests drive it directly.
 *
 * Members' actions go out through the bus; what comes back from it (`apply`)
 * is the room's one order of events, the same in every process: it updates
 * the room (who is in it, the history) and reaches this process's members.
 * Names and history are of the whole room, members are this process's.
 */
export class ChatRoom {
  /** This process's members who have their welcome. */
  private readonly members = new Map<string, ChatMember>();
  /** This process's members whose join has not come back from the bus yet. */
  private readonly pending = new Map<string, ChatMember>();
  /** Everyone in the room, on any process, in join order, with the process that holds the name. */
  private readonly users = new Map<string, string>();
  private readonly history: Ring<ChatMessage>;
  private lastId = 0;
  private nextGuest = 1;
  private readonly options: ChatRoomOptions;
  private readonly bus: Bus;
  private readonly roster: Roster;
  /** Names joined or left while a resync reads Redis: the read may predate them. */
  private touched: Set<string> | null = null;

  constructor(options: ChatRoomOptions) {
    this.options = options;
    this.history = new Ring(options.historySize);
    this.bus = options.bus ?? new MemoryBus();
    this.bus.on(CHANNEL, (payload) => this.apply(payload));
    this.roster = this.bus.roster(CHANNEL, {
      channel: CHANNEL,
      joined: (name, owner) => `${route('room', name, owner)}${JSON.stringify({ type: 'join', name } satisfies ChatServerMessage)}`,
      left: (name) => `${route('room', name)}${JSON.stringify({ type: 'leave', name } satisfies ChatServerMessage)}`,
      snapshot: (owner, names) => `${route('here', owner)}${JSON.stringify(names)}`,
    });
    this.bus.onUp(() => this.resync());
  }

  /** Decides the name a new connection gets; reserves nothing (join does). */
  admit(requested: string | null): Admission {
    if (requested === null) {
      let name: string;
      do name = `${GUEST_PREFIX}${this.nextGuest++}`;
      while (this.has(name));
      return { ok: true, name };
    }
    if (!CHAT_NAME_PATTERN.test(requested)) {
      return {
        ok: false,
        status: 400,
        error: 'bad_name',
        message: `A name is 1 to ${LIMITS.chatNameMaxLength} letters, digits, "_" or "-".`,
      };
    }
    if (this.has(requested)) {
      return { ok: false, status: 409, error: 'name_taken', message: `The name "${requested}" is already in the room.` };
    }
    return { ok: true, name: requested };
  }

  has(name: string): boolean {
    return this.users.has(name) || this.pending.has(name);
  }

  /** Everyone in the room, whatever process they are on. */
  names(): string[] {
    return [...this.users.keys()];
  }

  /** Members on this process. */
  get size(): number {
    return this.members.size;
  }

  /** The member is welcomed, and the others told, when the join comes back from the bus. */
  join(member: ChatMember): void {
    this.pending.set(member.name, member);
    this.roster.enter(member.name, () => {
      if (this.pending.get(member.name) !== member) return;
      this.pending.delete(member.name);
      member.refused?.(`The name "${member.name}" is already in the room.`);
    });
  }

  leave(member: ChatMember): void {
    if (this.pending.get(member.name) === member) {
      this.pending.delete(member.name);
    } else if (this.members.get(member.name) === member) {
      this.members.delete(member.name);
    } else {
      return;
    }
    this.roster.exit(member.name);
  }

  /** Tells the member an error, for problems the endpoint finds (rate limit). */
  error(member: ChatMember, code: ErrorCode, message: string): void {
    member.deliver(JSON.stringify({ type: 'error', code, message } satisfies ChatServerMessage), false);
  }

  /** One text frame from `member`. */
  receive(member: ChatMember, frame: string): void {
    if (!frame.trimStart().startsWith('{')) {
      this.say(member, frame);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(frame);
    } catch {
      this.error(member, ERROR_CODES.badJson, 'A frame that starts with "{" must be valid JSON.');
      return;
    }
    const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !(CHAT_COMMAND_TYPES as readonly string[]).includes(type)) {
      this.error(
        member,
        ERROR_CODES.unknownType,
        `Unknown message type ${JSON.stringify(type ?? null)}; send "message" or "private".`,
      );
      return;
    }
    const parsed = chatCommandSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.error(member, ERROR_CODES.badMessage, `Invalid "${type}" message: ${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}.`);
      return;
    }
    const command = parsed.data;
    if (command.type === 'message') {
      this.say(member, command.text);
      return;
    }
    if (!this.checkText(member, command.text)) return;
    if (!this.users.has(command.to)) {
      this.error(member, ERROR_CODES.unknownUser, `Nobody named ${JSON.stringify(command.to)} is in the room.`);
      return;
    }
    const message = { type: 'private', from: member.name, text: command.text, ts: this.options.now() } satisfies ChatServerMessage;
    this.bus.publish(CHANNEL, `${route('to', command.to)}${JSON.stringify(message)}`);
  }

  private checkText(member: ChatMember, text: string): boolean {
    if (text.trim() === '') {
      this.error(member, ERROR_CODES.emptyText, 'The message is empty.');
      return false;
    }
    if (text.length > this.options.textMaxLength) {
      this.error(
        member,
        ERROR_CODES.tooLong,
        `The message has ${text.length} characters; the limit is ${this.options.textMaxLength}.`,
      );
      return false;
    }
    return true;
  }

  private say(member: ChatMember, text: string): void {
    if (!this.checkText(member, text)) return;
    // The bus numbers the line (the id), so its JSON is written around the number, in the key order of ChatMessage.
    const rest = JSON.stringify({ from: member.name, text, ts: this.options.now() });
    this.bus.append(CHANNEL, { prefix: route('room', member.name), head: '{"type":"message","id":', tail: `,${rest.slice(1)}` }, this.lastId, this.options.historySize);
  }

  /** One event of the room, in the room's order, from the bus. */
  private apply(payload: string): void {
    const newline = payload.indexOf('\n');
    if (newline === -1) return;
    const [kind, name = '', owner = ''] = payload.slice(0, newline).split(' ');
    const json = payload.slice(newline + 1);
    if (kind === 'to') {
      this.members.get(name)?.deliver(json, true);
      return;
    }
    if (kind === 'here') {
      this.snapshot(name, JSON.parse(json) as string[]);
      return;
    }
    const event = JSON.parse(json) as ChatServerMessage;
    if (event.type === 'message') {
      // Delivered whatever its id; kept once: an entry read back from Redis at a resync may also come live.
      if (event.id > this.lastId) {
        this.lastId = event.id;
        this.history.push(event);
      } else if (!this.history.toArray().some((m) => m.id === event.id)) {
        this.history.push(event);
      }
    } else if (event.type === 'join') {
      this.touched?.add(name);
      // Ours only if this process holds the name: the same name may be pending here and won elsewhere.
      const joining = owner === this.bus.id ? this.pending.get(name) : undefined;
      const known = this.users.has(name);
      this.users.set(name, owner);
      if (known && !joining) return;
      if (joining) {
        this.pending.delete(name);
        this.members.set(name, joining);
        joining.deliver(
          JSON.stringify({ type: 'welcome', you: name, users: this.names(), history: this.history.toArray() } satisfies ChatServerMessage),
          false,
        );
      }
    } else if (event.type === 'leave') {
      this.touched?.add(name);
      if (!this.users.delete(name)) return;
    } else {
      return;
    }
    for (const [other, member] of this.members) if (other !== name) member.deliver(json, true);
  }

  /** A process's whole list after it reconnected: its names missing here have left; new ones have joined. */
  private snapshot(owner: string, names: readonly string[]): void {
    const now = new Set(names);
    for (const [name, holder] of [...this.users]) {
      if (holder !== owner || now.has(name)) continue;
      this.users.delete(name);
      this.toMembers(name, { type: 'leave', name });
    }
    for (const name of names) {
      if (this.users.has(name)) continue;
      this.users.set(name, owner);
      this.toMembers(name, { type: 'join', name });
    }
  }

  /**
   * The bus is shared (again): take the history from Redis, and the room's
   * names when Redis kept them (not after a restart that emptied it: then
   * each process's snapshot, published as it reconnects, tells who is where),
   * and hold this process's names again.
   */
  private async resync(): Promise<void> {
    this.touched = new Set();
    try {
      const logged = (await this.bus.sync(CHANNEL, this.lastId)).map((entry) => JSON.parse(entry) as ChatMessage);
      const byId = new Map<number, ChatMessage>();
      for (const message of [...this.history.toArray(), ...logged]) byId.set(message.id, message);
      const merged = [...byId.values()].sort((a, b) => a.id - b.id).slice(-this.options.historySize);
      this.history.clear();
      for (const message of merged) this.history.push(message);
      this.lastId = Math.max(this.lastId, merged.at(-1)?.id ?? 0);

      // Names Redis holds that this process missed have joined. Names it lacks have left only if
      // Redis kept its data (it still lists ours): emptied by a restart, it lacks everyone until
      // each process takes its names again and says so in its snapshot.
      const holders = await this.roster.holders();
      const kept = this.members.size === 0 || Object.values(holders).includes(this.bus.id);
      for (const [name, holder] of kept ? [...this.users] : []) {
        if (name in holders || holder === this.bus.id || this.touched.has(name)) continue;
        this.users.delete(name);
        this.toMembers(name, { type: 'leave', name });
      }
      for (const [name, holder] of Object.entries(holders)) {
        if (this.users.has(name) || this.touched.has(name)) continue;
        this.users.set(name, holder);
        this.toMembers(name, { type: 'join', name });
      }
      await this.roster.reconcile([...this.members.keys()]);
    } finally {
      this.touched = null;
    }
  }

  private toMembers(except: string, message: ChatServerMessage): void {
    const json = JSON.stringify(message);
    for (const [name, member] of this.members) if (name !== except) member.deliver(json, true);
  }
}
