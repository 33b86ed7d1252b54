// Your own client: two people in your chat room at LAB_URL, each named in
// the query string. Ada speaks; Lin should hear her, Ada should not.
const ada = new WebSocket(`${LAB_URL}?name=ada`);
await new Promise((resolve) => ada.addEventListener('open', resolve));
const lin = new WebSocket(`${LAB_URL}?name=lin`);

for (const [name, socket] of [['ada', ada], ['lin', lin]]) {
  socket.addEventListener('message', (event) => console.log(`${name} got:`, event.data));
  socket.addEventListener('close', (event) => console.log(`${name} closed:`, event.code));
}

lin.addEventListener('open', () => ada.send('hi lin'));

// Ada leaves first: Lin should be told.
setTimeout(() => ada.close(1000), 1500);
setTimeout(() => lin.close(1000), 2500);
