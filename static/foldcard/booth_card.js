// Editing a logged card: the card editor alone; the form is posted as a plain form, once.
import { cardEditor } from "./card_editor.js";
import { submitOnce } from "./submit_once.js";

cardEditor(document.querySelector("[data-card-editor]"));
submitOnce(document.querySelector("[data-card-form]"));
