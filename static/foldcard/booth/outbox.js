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
