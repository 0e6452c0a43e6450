// One person, one card per conference: when the email typed is that of a card already
// logged here, say so at once, with a link to edit that card instead.
const DEBOUNCE_MS = 250;

function warning(card) {
  const div = document.createElement("div");
  const link = document.createElement("a");
  link.href = card.edit_url;
  link.textContent = "edit that card?";
  const by = card.logged_by ? ` by ${card.logged_by}` : "";
  div.append(`${card.name} already logged at ${card.when}${by} — `, link);
  return div;
}

// Watch `input` (the email field): on change or leaving it, ask `url` (the booth's
// lookup) about a valid email, and show its cards in `slot`. Return {clear}.
export function watchEmail(input, url, slot) {
  let timer = null;
  let asked = "";

  async function lookUp() {
    const email = input.value.trim();
    if (email === asked) return;
    asked = email;
    slot.replaceChildren();
    if (!email || !input.validity.valid) return;
    let cards;
    try {
      const response = await fetch(`${url}?${new URLSearchParams({ email })}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      ({ cards } = await response.json());
    } catch (error) {
      return; // Offline: the warning is a help, not a condition for saving.
    }
    if (input.value.trim() === email) slot.replaceChildren(...cards.map(warning));
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(lookUp, DEBOUNCE_MS);
  }
  input.addEventListener("change", soon);
  input.addEventListener("blur", soon);

  return {
    clear() {
      clearTimeout(timer);
      asked = "";
      slot.replaceChildren();
    },
  };
}
