// The booth form: what is typed becomes an outbox item, and an item the server refused
// goes back into the form to be fixed. Enter saves from any field; in the note,
// Shift+Enter starts a new line.
// `contact`: the known person the card is attached to ("same person?"), hidden.
const FIELDS = ["name", "company", "title", "email", "phone", "website", "note", "contact"];
// Sent with each card but kept for the next one: the consent is mostly the same all day.
const KEPT = ["consent"];

function uuid4() {
  // crypto.randomUUID() needs a secure context; a booth laptop may reach us over http.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Enter in the note of `form` submits it, as in its other fields; Shift+Enter starts a
// new line.
export function saveOnEnterInNote(form) {
  form.elements.note.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

// Take over `form` (the [data-booth-form] element), whose folds are in `editor`, for
// `user` ({id, username}), who logs its cards.
export function boothForm(form, editor, user) {
  const photoInput = form.elements.photo;
  const photoStatus = form.querySelector("[data-photo-status]");
  let snapshot = null;

  saveOnEnterInNote(form);

  photoInput.addEventListener("change", () => {
    snapshot = null;
    photoStatus.textContent = photoInput.files.length ? photoInput.files[0].name : "";
  });

  // Show `errors` ({field: [messages]}) beside their fields; return the first wrong field
  // (the name for an error about the card as a whole) and the messages, each after its
  // field's label.
  function showErrors(errors) {
    form.querySelectorAll("[data-error]").forEach((el) => {
      if (el.dataset.error === "__all__") el.remove();
      else el.textContent = "";
    });
    const problems = [];
    Object.entries(errors || {}).forEach(([field, messages]) => {
      const slot = form.querySelector(`[data-error="${field}"]`);
      const label = form.elements[field]?.labels?.[0];
      problems.push(`${label ? `${label.textContent.trim()}: ` : ""}${messages.join(" ")}`);
      if (slot) {
        slot.textContent = messages.join(" ");
      } else {
        const div = document.createElement("div");
        div.className = "alert alert-danger py-1 mb-2";
        div.dataset.error = "__all__";
        div.textContent = messages.join(" ");
        form.prepend(div);
      }
    });
    const wrong = Array.from(form.elements).find((el) => el.name in (errors || {}) && el.type !== "hidden");
    return { first: wrong || form.elements.name, problems };
  }

  return {
    showErrors,

    item() {
      const item = {
        client_uuid: uuid4(),
        url: form.action,
        user,
        queued_at: Date.now(),
        folds: editor.codes(),
        fields: {},
        photo: null,
        photo_name: "",
      };
      [...FIELDS, ...KEPT].forEach((f) => { item.fields[f] = form.elements[f].value; });
      if (snapshot) {
        item.photo = snapshot;
        item.photo_name = "webcam.jpg";
      } else if (photoInput.files.length) {
        item.photo = photoInput.files[0];
        item.photo_name = photoInput.files[0].name;
      }
      return item;
    },

    fill(item) {
      // A card kept before the `contact` field existed has none.
      [...FIELDS, ...KEPT].forEach((f) => { form.elements[f].value = item.fields[f] ?? ""; });
      editor.setCodes(item.folds);
      // A photo the server refused would be refused again: the card comes back without it.
      const refusedPhoto = Boolean(item.rejected?.photo);
      photoInput.value = "";
      snapshot = refusedPhoto ? null : item.photo;
      photoStatus.textContent = snapshot ? `Photo kept: ${item.photo_name}` : "";
      showErrors(item.rejected);
      if (refusedPhoto) {
        photoStatus.textContent = `${item.photo_name} left out: choose another photo, or save the card without one.`;
      }
    },

    // What the server would refuse the card being typed for, as its errors, else null: an
    // email without a user or a domain at its @, a note too long, or no name, company,
    // email, photo or person chosen (the form's data-invalid-email and data-empty say so in the server's
    // words). Whatever else the server may refuse, it is asked: the page must never refuse
    // what the server would take (an email of another alphabet, say).
    problems() {
      const email = form.elements.email.value.trim();
      const at = email.lastIndexOf("@");
      if (email && (at <= 0 || at === email.length - 1)) return { email: [form.dataset.invalidEmail] };
      // Counted as the server does: without the spaces around, by code point, CR LF as one.
      const characters = [...form.elements.note.value.trim().replace(/\r\n/g, "\n")].length;
      const longest = Number(form.elements.note.dataset.maxLength);
      if (characters > longest) {
        return { note: [`Ensure this value has at most ${longest} characters (it has ${characters}).`] };
      }
      const whose = ["name", "company", "email", "contact"].some((f) => form.elements[f].value.trim());
      const photo = Boolean(snapshot || photoInput.files.length);
      return whose || photo ? null : { __all__: [form.dataset.empty] };
    },

    // Whether a card is being typed: folds, a field or a photo not yet saved.
    typed() {
      const filled = FIELDS.some((f) => f !== "contact" && form.elements[f].value.trim());
      return filled || editor.codes().length > 0 || Boolean(snapshot || photoInput.files.length);
    },

    clear() {
      FIELDS.forEach((f) => { form.elements[f].value = ""; });
      photoInput.value = "";
      snapshot = null;
      photoStatus.textContent = "";
      showErrors({});
      editor.reset();
      form.elements.keys.focus();
    },

    useSnapshot(blob) {
      snapshot = blob;
      photoInput.value = "";
      photoStatus.textContent = "Webcam snapshot ready.";
    },

    showPhotoStatus(text) {
      photoStatus.textContent = text;
    },
  };
}
