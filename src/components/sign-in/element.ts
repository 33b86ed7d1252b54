import { CLASSROOM_PATHS, meResponseSchema, type MeResponse } from '../../../protocol/classroom.ts';
import { meLine, NOT_A_CLASS, problem } from '../../runtime/classroom/words.ts';
import { currentCompanionOrigin } from '../../runtime/server-address.ts';
import { defineElement } from '../define.ts';

/** <fd-sign-in>: asks the companion who this browser is, and signs it in or out. */
export class SignInElement extends HTMLElement {
  #part<T extends HTMLElement>(name: string): T {
    return this.querySelector(`[data-${name}]`) as T;
  }

  connectedCallback(): void {
    this.#part<HTMLFormElement>('form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#signIn();
    });
    this.#part('sign-out').addEventListener('click', () => void this.#signOut());
    void this.#refresh();
  }

  async #call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> | null }> {
    try {
      const response = await fetch(`${currentCompanionOrigin()}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        credentials: 'same-origin',
      });
      const json = response.status === 204 ? null : ((await response.json().catch(() => null)) as Record<string, unknown> | null);
      return { status: response.status, json };
    } catch {
      return { status: 0, json: null };
    }
  }

  #show(me: MeResponse | null, text: string): void {
    this.#part('status').textContent = text;
    this.#part('form').hidden = !me?.classroom || me.learner !== null;
    this.#part('signed-in').hidden = !me?.learner;
  }

  #problem(text: string | null): void {
    const p = this.#part('problem');
    p.hidden = text === null;
    p.textContent = text ?? '';
  }

  async #refresh(): Promise<void> {
    const { status, json } = await this.#call('GET', CLASSROOM_PATHS.me);
    const me = meResponseSchema.safeParse(json);
    if (status !== 200 || !me.success) {
      this.#show(null, status === 404 ? NOT_A_CLASS : problem(status, json));
      return;
    }
    this.#show(me.data, meLine(me.data));
  }

  async #signIn(): Promise<void> {
    const input = this.#part<HTMLInputElement>('name');
    const { status, json } = await this.#call('POST', CLASSROOM_PATHS.signIn, { name: input.value });
    if (status !== 201) {
      this.#problem(problem(status, json));
      input.focus();
      return;
    }
    this.#problem(null);
    await this.#refresh();
    this.querySelector<HTMLAnchorElement>('.fd-class-link')?.focus();
  }

  async #signOut(): Promise<void> {
    await this.#call('DELETE', CLASSROOM_PATHS.signIn);
    await this.#refresh();
    this.#part<HTMLInputElement>('name').focus();
  }
}

defineElement('fd-sign-in', SignInElement);
