// The same client with types. Your browser turns this TypeScript into
// JavaScript before it runs; errors still point at the lines you see here.
interface Greeting {
  from: string;
  sentAt: number;
}

const typedSocket: WebSocket = new WebSocket('ws://localhost:8080');

typedSocket.addEventListener('open', () => {
  const greeting: Greeting = { from: 'Ada', sentAt: Date.now() };
  typedSocket.send(JSON.stringify(greeting));
});

typedSocket.addEventListener('message', (event: MessageEvent<string>) => {
  const echoed = JSON.parse(event.data) as Greeting;
  console.log(`${echoed.from}'s greeting came back after ${Date.now() - echoed.sentAt} ms`);
  typedSocket.close(1000, 'Done');
});

typedSocket.addEventListener('close', (event: CloseEvent) => {
  console.log('Closed with code', event.code);
});
