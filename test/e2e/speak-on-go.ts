import type { Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

/**
 * Broadcast playgrounds whose clients speak when told. The lessons' own code lets each client
 * speak a fixed time after it connects (time for the others to connect too); with both cores busy a
 * client once connected later than that and missed a line, so a test that counts rows could fail
 * by luck. These clients say nothing until "go" arrives on /broadcast, which `sayGo` sends once
 * every client's socket is open.
 */

/** Each client says `<name> says hello` on "go", prints every line but "go", and closes once it has heard `lines` of them. */
export function speakOnGo(lines: number): string {
  return `const socket = new WebSocket('ws://localhost:8080/broadcast');
let heard = 0;
socket.onmessage = (event) => {
  if (event.data === 'go') {
    socket.send(\`\${clientName} says hello\`);
    return;
  }
  console.log(\`received: \${event.data}\`);
  heard += 1;
  if (heard === ${lines}) socket.close(1000, 'bye');
};
`;
}

/**
 * Once `clients` sockets of the playground's run are open, says "go" on /broadcast from a socket of
 * the test's own: in the same room, and never drawn (it carries no run's tag). A client is in the
 * room before it can have its 101: the companion adds it in the turn it writes the 101.
 */
export async function sayGo(page: Page, origin: string, playground: string, clients: number): Promise<void> {
  const starter = new WebSocket(`${origin.replace(/^http/, 'ws')}/broadcast`);
  onTestFinished(() => starter.close());
  await new Promise((resolve, reject) => {
    starter.addEventListener('open', resolve, { once: true });
    starter.addEventListener('error', reject, { once: true });
  });
  await page.waitForFunction(
    ([id, count]) => {
      const source = document.getElementById(id as string) as unknown as { events: readonly { kind: string }[] } | null;
      return source?.events.filter((e) => e.kind === 'open').length === count;
    },
    [playground, clients] as const,
    // On a timer, not on animation frames (playwright's default), as nothing here is drawn.
    { polling: 100 },
  );
  starter.send('go');
}
