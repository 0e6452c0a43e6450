// The card editor: the drawn card, the fold-code field and the fold checkboxes stay in
// sync, and the live line shows what the folds mean. Decoding is a lookup in the table
// the server compiled (#fold-table, or a newer one handed in); no fold rule is written here.

// Start the editor in `editor` (the [data-card-editor] element) and return what its
// form's script needs: the fold codes, setting them, and a new decoding table.
export function cardEditor(editor) {
  document.documentElement.classList.add("js");

  const form = editor.closest("form");
  let table = JSON.parse(document.getElementById("fold-table").textContent);
  const foldKeys = JSON.parse(document.getElementById("fold-keys").textContent);
  const bitOf = {};
  const keyOf = {};
  const codeOfKey = {};
  foldKeys.forEach(([code, key], i) => {
    bitOf[code] = 1 << i;
    keyOf[code] = key;
    codeOfKey[key] = code;
  });
  // With NumLock off the numpad still reports its physical keys.
  const numpad = {
    Numpad7: "7", Numpad9: "9", Numpad1: "1", Numpad3: "3", Numpad5: "5", NumpadDivide: "/",
  };
  const keysInput = form.querySelector("[name=keys]");
  const checkboxes = Array.from(form.querySelectorAll("input[name=folds]"));
  const drawn = Array.from(editor.querySelectorAll("[data-fold]"));
  const liveLine = editor.querySelector("[data-live-line]");
  // A key typed in the fold code that folds nothing is said, not silently dropped.
  const keyHint = editor.querySelector("[data-key-hint]");
  const foldKeysText = foldKeys.map(([, key]) => key).join(" ");
  let mask = 0;

  function codes(m) {
    return foldKeys.filter(([code]) => m & bitOf[code]).map(([code]) => code);
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    el.className = className;
    el.textContent = text;
    return el;
  }

  function renderLiveLine() {
    const decoding = table[mask];
    const parts = [];
    if (decoding.meanings.length === 0) {
      parts.push(element("span", "badge text-bg-light border", "Unclassified"));
    }
    decoding.meanings.forEach((meaning) => {
      const chip = element("span", "badge chip", meaning.label);
      chip.style.backgroundColor = meaning.colour;
      chip.style.color = meaning.text_colour;
      chip.dataset.meaning = meaning.slug;
      parts.push(chip, document.createTextNode(" "));
    });
    parts.push(element("span", "due", ` — follow up by ${decoding.due}`));
    decoding.unmapped.forEach((code) => {
      parts.push(document.createTextNode(" "));
      parts.push(element("span", "badge text-bg-warning", `unmapped ${code}`));
    });
    liveLine.replaceChildren(...parts);
  }

  function render() {
    if (keysInput) keysInput.value = codes(mask).map((code) => keyOf[code]).join("");
    checkboxes.forEach((box) => { box.checked = Boolean(mask & bitOf[box.value]); });
    drawn.forEach((el) => el.classList.toggle("bent", Boolean(mask & bitOf[el.dataset.fold])));
    renderLiveLine();
  }

  function setMask(m) {
    mask = m;
    render();
  }

  function maskOfKeys(text) {
    let m = 0;
    for (const char of text) if (char in codeOfKey) m |= bitOf[codeOfKey[char]];
    return m;
  }

  if (keysInput) {
    keysInput.setAttribute("autocomplete", "off");
    keysInput.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const key = numpad[event.code] || event.key;
      if (keyHint) keyHint.textContent = "";
      if (key in codeOfKey) {
        event.preventDefault();
        setMask(mask ^ bitOf[codeOfKey[key]]);
      } else if (event.key === "Backspace") {
        event.preventDefault();
        const set = codes(mask);
        if (set.length) setMask(mask ^ bitOf[set[set.length - 1]]);
      } else if (event.key === "Delete" || event.key === "Escape") {
        event.preventDefault();
        setMask(0);
      } else if (event.key.length === 1) {
        event.preventDefault();
        if (keyHint) keyHint.textContent = `“${event.key}” folds nothing: the fold keys are ${foldKeysText}.`;
      }
    });
    keysInput.addEventListener("input", () => setMask(maskOfKeys(keysInput.value)));
  }
  checkboxes.forEach((box) => box.addEventListener("change", () => {
    setMask(checkboxes.reduce((m, b) => (b.checked ? m | bitOf[b.value] : m), 0));
  }));
  drawn.forEach((el) => el.addEventListener("click", () => setMask(mask ^ bitOf[el.dataset.fold])));

  let initial = checkboxes.reduce((m, b) => (b.checked ? m | bitOf[b.value] : m), 0);
  if (keysInput) initial |= maskOfKeys(keysInput.value);
  setMask(initial);

  return {
    codes: () => codes(mask),
    reset: () => setMask(0),
    setCodes: (list) => setMask(list.reduce((m, code) => m | bitOf[code], 0)),
    setTable: (rows) => {
      table = rows;
      renderLiveLine();
    },
  };
}
