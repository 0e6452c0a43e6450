// Who the card being typed is of. One person, one card per conference: when the email
// typed is that of a card already logged here, say so, with a link to edit that card
// instead. And when what is typed (name and company, email, phone) looks like someone
// met before, ask "same person?": Alt+Y (or the button) attaches the card to them.
const DEBOUNCE_MS = 300;
const WATCHED = ["name", "company", "email", "phone"];

// One line for the person, however many cards of theirs are here: the latest to edit.
function warning(cards) {
  const card = cards[cards.length - 1];
  const div = document.createElement("div");
  const link = document.createElement("a");
  link.href = card.edit_url;
  link.textContent = "edit that card?";
  // Out of the Tab order, as the "same person?" button: Tab from the email goes on to the
  // phone, and Enter still saves the card being typed.
  link.tabIndex = -1;
  const by = card.logged_by ? ` by ${card.logged_by}` : "";
  const times = cards.length > 1 ? ` ${cards.length} times here, last` : "";
  div.append(`${card.name} already logged${times} at ${card.when}${by} — `, link);
  return div;
}

// Watch the booth `form`'s fields: ask `url` (the booth's lookup) about what is typed,
// show the cards of that email here in `slot` and the person it may be in `personSlot`,
// whose id Alt+Y puts in the form's `contact` field, and hand each answer's fingerprint
// of the fold table to `onFoldTable`. Return {clear, now}: `now` asks at once about what
// the fields say (filled from a reading, which fires no input event).
export function watchTyping(form, url, slot, personSlot, onFoldTable) {
  const contact = form.elements.contact;
  let timer = null;
  let asked = "";
  let suggested = null;

  function showPerson() {
    personSlot.replaceChildren();
    if (!suggested) return;
    const div = document.createElement("div");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm p-0 align-baseline";
    button.dataset.attachPerson = suggested.id;
    button.tabIndex = -1; // Alt+Y is its key
    if (contact.value === String(suggested.id)) {
      div.append(`Attached to ${suggested.text} ✓ `);
      button.textContent = "not the same (Alt+Y)";
    } else {
      div.append(`Looks like ${suggested.text} — `);
      button.textContent = "same person? (Alt+Y)";
    }
    button.addEventListener("click", toggle);
    div.append(button);
    personSlot.append(div);
  }

  function toggle() {
    if (!suggested) return;
    contact.value = contact.value === String(suggested.id) ? "" : String(suggested.id);
    showPerson();
  }

  function typed() {
    const query = {};
    WATCHED.forEach((name) => {
      const value = form.elements[name].value.trim();
      if (value) query[name] = value;
    });
    if (query.email && !form.elements.email.validity.valid) delete query.email;
    return new URLSearchParams(query).toString();
  }

  async function lookUp() {
    const query = typed();
    if (query === asked) return;
    asked = query;
    if (!query) {
      slot.replaceChildren();
      suggested = null;
      contact.value = "";
      showPerson();
      return;
    }
    let answer;
    try {
      const response = await fetch(`${url}?${query}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      answer = await response.json();
    } catch (error) {
      return; // Offline: the warning is a help, not a condition for saving.
    }
    onFoldTable(answer.fold_table_version);
    if (typed() !== query) return;
    slot.replaceChildren(...(answer.cards.length ? [warning(answer.cards)] : []));
    const logged = new Set(answer.cards.map((card) => card.name));
    const chosen = answer.people.find((p) => String(p.id) === contact.value);
    // A person chosen whom what is typed no longer names is let go: the card is not
    // given to someone the page no longer shows.
    if (!chosen) contact.value = "";
    suggested = chosen || answer.people.find((p) => !logged.has(p.name)) || null;
    showPerson();
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(lookUp, DEBOUNCE_MS);
  }
  WATCHED.forEach((name) => {
    form.elements[name].addEventListener("input", soon);
    form.elements[name].addEventListener("change", soon);
  });
  form.addEventListener("keydown", (event) => {
    if (event.altKey && event.code === "KeyY") {
      event.preventDefault();
      toggle();
    }
  });

  return {
    now() {
      clearTimeout(timer);
      lookUp();
    },
    clear() {
      clearTimeout(timer);
      asked = "";
      suggested = null;
      slot.replaceChildren();
      showPerson();
    },
  };
}
