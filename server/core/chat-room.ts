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
}

export type Admission =
  | { ok: true; name: string }
  | { ok: false; status: 400 | 409; error: 'bad_name' | 'name_taken'; message: string };

export interface ChatRoomOptions {
  now: Clock;
  historySize: number;
  textMaxLength: number;
}

/**
 * A chat room with no sockets in it: names, presence, history and routing.
 * The /chat endpoint binds it to connections; tests drive it directly.
 */
export class ChatRoom {
  private readonly members = new Map<string, ChatMember>();
  private readonly history: Ring<ChatMessage>;
  private nextId = 1;
  private nextGuest = 1;
  private readonly options: ChatRoomOptions;

  constructor(options: ChatRoomOptions) {
    this.options = options;
    this.history = new Ring(options.historySize);
  }

  /** Decides the name a new connection gets; reserves nothing (join does). */
  admit(requested: string | null): Admission {
    if (requested === null) {
      let name: string;
      do name = `${GUEST_PREFIX}${this.nextGuest++}`;
      while (this.members.has(name));
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
    if (this.members.has(requested)) {
      return { ok: false, status: 409, error: 'name_taken', message: `The name "${requested}" is already in the room.` };
    }
    return { ok: true, name: requested };
  }

  has(name: string): boolean {
    return this.members.has(name);
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  get size(): number {
    return this.members.size;
  }

  join(member: ChatMember): void {
    this.members.set(member.name, member);
    member.deliver(
      JSON.stringify({ type: 'welcome', you: member.name, users: this.names(), history: this.history.toArray() } satisfies ChatServerMessage),
      false,
    );
    this.toOthers(member, { type: 'join', name: member.name });
  }

  leave(member: ChatMember): void {
    if (this.members.get(member.name) !== member) return;
    this.members.delete(member.name);
    this.toOthers(member, { type: 'leave', name: member.name });
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
    const to = this.members.get(command.to);
    if (!to) {
      this.error(member, ERROR_CODES.unknownUser, `Nobody named ${JSON.stringify(command.to)} is in the room.`);
      return;
    }
    to.deliver(
      JSON.stringify({ type: 'private', from: member.name, text: command.text, ts: this.options.now() } satisfies ChatServerMessage),
      true,
    );
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
    const message: ChatMessage = { type: 'message', id: this.nextId++, from: member.name, text, ts: this.options.now() };
    this.history.push(message);
    this.toOthers(member, message);
  }

  private toOthers(sender: ChatMember, message: ChatServerMessage): void {
    const json = JSON.stringify(message);
    for (const other of this.members.values()) if (other !== sender) other.deliver(json, true);
  }
}
