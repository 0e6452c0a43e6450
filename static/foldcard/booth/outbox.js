// The outbox: every card goes in before it is sent and leaves once the server has it, so
// that nothing typed at the booth is lost when the network fails. Items are keyed by
// their client_uuid.
const database = new Promise((resolve, reject) => {
  const request = indexedDB.open("foldcard", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("outbox", { keyPath: "client_uuid" });
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

async function store(mode, action) {
  const opened = await database;
  return new Promise((resolve, reject) => {
    const transaction = opened.transaction("outbox", mode);
    const request = action(transaction.objectStore("outbox"));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
  });
}

export const put = (item) => store("readwrite", (s) => s.put(item));
export const remove = (id) => store("readwrite", (s) => s.delete(id));
export const all = () => store("readonly", (s) => s.getAll());

// Whether `item` is sent in the session of `user` ({id, username}, as the page has it):
// each card is sent as the person who logged it. Cards queued before items carried their
// user go with whoever logs in.
export const isFor = (item, user) => !item.user || item.user.id === user.id;

// Return what waits in `items` for someone other than `user` (null: for anyone), one line
// per person: "2 cards of alice wait for alice to log in here."
export function waitingForOthers(items, user) {
  const counts = new Map();
  items.filter((item) => !user || !isFor(item, user)).forEach((item) => {
    const name = item.user ? item.user.username : "";
    counts.set(name, (counts.get(name) || 0) + 1);
  });
  return Array.from(counts, ([name, n]) => {
    const cards = n === 1 ? "1 card" : `${n} cards`;
    const wait = n === 1 ? "waits" : "wait";
    return name ? `${cards} of ${name} ${wait} for ${name} to log in here.` : `${cards} ${wait} to be sent at the next login here.`;
  });
}
