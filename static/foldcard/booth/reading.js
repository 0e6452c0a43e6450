// Reading the card at the booth: the photo is sent to the server's reader, and the empty
// fields fill in with what it read, marked where it came from. What the user typed is
// never overwritten; the other phones and emails read are offered, the lines read shown.
const FIELDS = ["name", "company", "title", "email", "phone", "website"];
const SOURCES = { qr: "from the QR code", text: "from the card", unsure: "from the card: check it" };

// Read photos for the booth `form` at `url`; `onFilled` is called when fields were filled
// from a reading, which fires no input event: the booth looks up whom they name.
export function cardReader(form, url, token, onFilled) {
  const status = form.querySelector("[data-read-status]");
  const extras = form.querySelector("[data-read-extras]");
  let current = 0;

  function mark(field, source) {
    const input = form.elements[field];
    input.dataset.readSource = source;
    const label = form.querySelector(`[data-read-mark="${field}"]`);
    if (label) {
      label.textContent = SOURCES[source] || "";
      label.classList.toggle("text-warning-emphasis", source === "unsure");
    }
  }

  function unmark(field) {
    delete form.elements[field].dataset.readSource;
    const label = form.querySelector(`[data-read-mark="${field}"]`);
    if (label) label.textContent = "";
  }

  // What the user types over a suggestion is theirs, not the card's. Filling a field from
  // here sets its value, which fires no input event, so only the user's edits unmark it.
  FIELDS.forEach((field) => {
    form.elements[field].addEventListener("input", () => unmark(field));
  });

  function reset() {
    current += 1;
    status.textContent = "";
    FIELDS.forEach(unmark);
    extras.replaceChildren();
  }

  function offer(field, values) {
    values.forEach((value) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary btn-sm me-1 mb-1";
      button.dataset.alternative = field;
      button.textContent = value;
      button.addEventListener("click", () => {
        form.elements[field].value = value;
        mark(field, "text");
        onFilled();
      });
      extras.append(button);
    });
  }

  function show(answer) {
    let filled = 0;
    Object.entries(answer.fields).forEach(([field, suggestion]) => {
      const input = form.elements[field];
      if (!input || input.value.trim()) return;
      input.value = suggestion.value;
      // A field read unsure (a small or blurred photo) is marked to be checked.
      mark(field, suggestion.sure === false ? "unsure" : suggestion.source);
      filled += 1;
    });
    if (filled) onFilled();
    offer("phone", answer.alternatives.phones || []);
    offer("email", answer.alternatives.emails || []);
    if (answer.lines.length) {
      const details = document.createElement("details");
      details.className = "small";
      details.innerHTML = "<summary>Lines read</summary><pre class='mb-0 text-wrap' data-lines></pre>";
      details.querySelector("pre").textContent = answer.lines.join("\n");
      extras.append(details);
    }
    const read = Object.keys(answer.fields).length;
    status.textContent = read
      ? `Read from the card: ${read} field${read === 1 ? "" : "s"}${filled < read ? ` (${read - filled} kept as typed)` : ""}.`
      : "Couldn't read the card — please type it.";
    const unsure = FIELDS.filter((field) => form.elements[field].dataset.readSource === "unsure");
    if (unsure.length) status.textContent += ` Check the ${unsure.join(" and ")}: read unsure.`;
    if (answer.warnings.length) status.textContent += ` ${answer.warnings.join(" ")}`;
  }

  async function read(photo) {
    reset();
    const mine = current;
    status.textContent = "Reading the card…";
    const data = new FormData();
    data.append("photo", photo, photo.name || "photo.jpg");
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json", "X-CSRFToken": token() },
      });
      const answer = await response.json();
      if (mine !== current) return;
      if (response.ok) show(answer);
      else status.textContent = Object.values(answer.errors).flat().join(" ");
    } catch {
      if (mine === current) status.textContent = "Not read now (offline): save it, it is read once sent.";
    }
  }

  return { read, reset };
}
