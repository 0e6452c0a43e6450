// Editing a logged card: the card editor alone; the form is posted as a plain form.
import { cardEditor } from "./card_editor.js";

cardEditor(document.querySelector("[data-card-editor]"));
