// The booth's keyboard beyond the form: "?" opens the list of every shortcut (Escape
// closes it), and Alt+U, or Ctrl+Z outside a text field, undoes the last save.
const NOT_TEXT = ["button", "checkbox", "file", "radio", "submit"];

// Whether a key typed in `target` is text. The fold-code field (`keys`) takes each key as
// a fold, not as text.
function isText(target, keys) {
  if (target === keys) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA") return true;
  return target.tagName === "INPUT" && !NOT_TEXT.includes(target.type);
}

// Open `dialog` (the list) on "?" or a click on `button`, give the focus back to `keys`
// when it closes, and call `undo` on Alt+U or Ctrl+Z.
export function startShortcuts({ dialog, button, keys, undo }) {
  const open = () => dialog.open || dialog.showModal();
  button.classList.remove("d-none");
  button.addEventListener("click", open);
  dialog.addEventListener("close", () => keys.focus());
  document.addEventListener("keydown", (event) => {
    if (dialog.open) return;
    const text = isText(event.target, keys);
    const modified = event.ctrlKey || event.metaKey || event.altKey;
    const ctrlZ = (event.ctrlKey || event.metaKey) && !event.altKey && event.code === "KeyZ";
    if (event.key === "?" && !text && !modified) {
      event.preventDefault();
      open();
    } else if ((event.altKey && event.code === "KeyU") || (ctrlZ && !text)) {
      event.preventDefault();
      undo();
    }
  });
}
