// The follow-up list worked as a queue: a current row with its actions, a detail panel,
// rows selected for bulk actions, and keys for it all (the ? dialog lists them). Without
// JavaScript the list is links to each follow-up's page and a plain bulk form.
import { isClosed, listUrl, say, send, showActions, undoLast } from "./followup_actions.js";

(function () {
  "use strict";
  const list = document.querySelector("[data-followups]");
  if (!list) return;
  document.documentElement.classList.add("js");
  const bulkForm = document.getElementById("bulk");
  const panel = document.querySelector("[data-panel]");
  const rowActions = document.querySelector("[data-row-actions]");
  const dialogs = {};
  document.querySelectorAll("[data-dialog]").forEach((d) => { dialogs[d.dataset.dialog] = d; });
  // Enter on a dialog's select (the assign dialog's owner) answers with its first button,
  // as Enter in a text field does.
  Object.values(dialogs).forEach((dialog) => {
    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.target.tagName !== "SELECT") return;
      event.preventDefault();
      dialog.querySelector("button[type=submit]").click();
    });
  });
  // Enter in a day to snooze until snoozes until that day, not what the form's first
  // button does (Done in the bulk bar, a day in the snooze dialog).
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.target.matches("[data-until]")) return;
    event.preventDefault();
    event.target.form.querySelector("[data-until-button]").click();
  }, true);
  let anchor = null; // the row a Shift-click selects from

  const rows = () => [...list.querySelectorAll("[data-card]")];
  const current = () => list.querySelector("[data-card].is-current");
  const selected = () => rows().filter((row) => row.querySelector("[data-select]:checked"));
  const cardId = (row) => row.dataset.card;
  // The addresses of the actions, of bulk actions and of a follow-up's detail.
  const actionUrl = (row, action) => list.dataset.actionUrl.replace("/0/action/", `/${cardId(row)}/${action}/`);
  const bulkUrl = (action) => list.dataset.bulkUrl.replace(/action\/$/, `${action}/`);
  const detailUrl = (row) => list.dataset.detailUrl.replace(/0\/$/, `${cardId(row)}/`);

  // Make ``row`` the current one: it shows the row's actions and is what keys act on.
  function setCurrent(row) {
    if (!row) return;
    // Focus left in another row would make that one current again when it comes back (as
    // it does when a dialog closes).
    const focused = document.activeElement;
    if (list.contains(focused) && !row.contains(focused)) focused.blur();
    const was = current();
    if (was) was.classList.remove("is-current");
    row.classList.add("is-current");
    if (row.dataset.workable !== undefined) {
      row.append(rowActions);
      rowActions.hidden = false;
      showActions(rowActions, row);
    } else {
      rowActions.hidden = true;
    }
    row.scrollIntoView({ block: "nearest" });
    if (!panel.hidden) openPanel(row);
  }

  function move(step) {
    const all = rows();
    const at = all.indexOf(current());
    setCurrent(all[Math.min(Math.max(at + step, 0), all.length - 1)]);
  }

  // After a bulk action on the cards ``ids``: clear the selection, and when the current row
  // was one of them, make the next row that was not (or else the one before) current.
  function afterBulk(ids) {
    rows().forEach((each) => select(each, false));
    showSelection();
    const all = rows();
    const at = all.indexOf(current());
    if (at < 0 || !ids.includes(cardId(all[at]))) return;
    const others = [...all.slice(at + 1), ...all.slice(0, at).reverse()];
    setCurrent(others.find((each) => !ids.includes(cardId(each))));
  }

  // Show the bulk bar while rows are selected, saying how many.
  function showSelection() {
    const chosen = selected();
    rows().forEach((row) => row.classList.toggle("is-selected", chosen.includes(row)));
    bulkForm.classList.toggle("has-selection", chosen.length > 0);
    bulkForm.querySelector("[data-selected-count]").textContent = `${chosen.length} selected:`;
  }

  function select(row, on) {
    const box = row.querySelector("[data-select]");
    if (box) box.checked = on;
  }

  // Select from the anchor row to ``row``, as a Shift-click does.
  function selectRange(row) {
    const all = rows();
    const [from, to] = [all.indexOf(anchor || row), all.indexOf(row)].sort((a, b) => a - b);
    all.slice(from, to + 1).forEach((each) => select(each, true));
  }

  // Show ``row``'s detail in the panel; with ``focus``, move the keyboard into it (opened
  // with Enter or a click, or shown again after one of its own actions), so that its
  // controls come next on Tab, not after every row of the list.
  async function openPanel(row, focus = false) {
    const url = `${detailUrl(row)}?panel=1&next=${encodeURIComponent(listUrl())}`;
    const response = await fetch(url, { credentials: "same-origin" });
    const html = response.ok ? await response.text() : null;
    // An answer that comes after the current row moved on is for a row no longer current.
    const now = current();
    if (html === null || !now || cardId(row) !== cardId(now)) return;
    panel.innerHTML = html;
    panel.hidden = false;
    panel.dataset.shows = cardId(row);
    if (focus) panel.querySelector("[data-detail]").focus();
  }

  // Hide the panel; the keyboard, if it was in it, goes back to the list's keys (which act
  // on the current row), not to a link that would keep Enter and Space for itself.
  function closePanel() {
    const wasIn = panel.contains(document.activeElement);
    panel.hidden = true;
    panel.replaceChildren();
    if (wasIn) document.activeElement.blur();
  }

  // The rows that done, snooze and drop act on: as actedOn, but for a current row that is
  // closed already (it offers Reopen instead).
  function toClose() {
    const rows = actedOn();
    if (selected().length || !rows.length || !isClosed(rows[0])) return rows;
    say(`${rows[0].querySelector("[data-name]").textContent} is ${rows[0].dataset.state} already: o reopens it.`, true);
    return [];
  }

  // The selected rows, or else the current one when the user may work it; none said why
  // not, in the status line.
  function actedOn() {
    const chosen = selected();
    if (chosen.length) return chosen;
    const row = current();
    if (!row) return [];
    if (row.dataset.workable === undefined) {
      say(`${row.querySelector("[data-name]").textContent} is ${row.querySelector(".owner").textContent || "nobody"}'s follow-up: only they or a manager can work it.`, true);
      return [];
    }
    return [row];
  }

  // Ask in ``dialog`` about ``rows`` (named in it) and resolve with the button's value
  // ("" when cancelled).
  function ask(name, rows) {
    const dialog = dialogs[name];
    const names = rows.map((row) => row.querySelector("[data-name]").textContent);
    dialog.querySelector("[data-dialog-subject]").textContent = rows.length > 1 ? `${rows.length} selected` : names[0];
    dialog.querySelectorAll("input[type=text], textarea, input[type=date]").forEach((field) => { field.value = ""; });
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
    });
  }

  // Do ``action`` with ``fields`` to the rows ``acted`` on (actedOn's, as the dialog named
  // them): the selected ones in one bulk request, or the current one; then move on to the
  // row after it.
  async function act(action, fields, acted) {
    let body;
    if (selected().length) {
      const cards = acted.map(cardId);
      const versions = Object.fromEntries(acted.map((each) => [`version-${cardId(each)}`, each.dataset.version]));
      body = await send(bulkUrl(action), { cards, ...versions, ...fields });
      if (body) afterBulk(cards);
    } else {
      const [row] = acted;
      body = await send(actionUrl(row, action), { version: row.dataset.version, ...fields });
      if (body && action !== "assign") {
        const all = rows();
        const at = all.findIndex((each) => cardId(each) === cardId(row));
        setCurrent(all[Math.min(at + 1, all.length - 1)]);
      }
    }
    if (body && !panel.hidden) openPanel(current());
  }

  const commands = {
    open: () => current() && openPanel(current(), true),
    done: async () => {
      const rows = toClose();
      if (!rows.length) return;
      const how = await ask("done", rows);
      if (how) act("done", { outcome: dialogs.done.querySelector("[name=outcome]").value }, rows);
    },
    snooze: async () => {
      const rows = toClose();
      if (!rows.length) return;
      const how = await ask("snooze", rows);
      if (how === "until") act("snooze", { until: dialogs.snooze.querySelector("[name=until]").value }, rows);
      else if (how) act("snooze", { days: how }, rows);
    },
    drop: () => {
      const rows = toClose();
      if (rows.length) act("drop", {}, rows);
    },
    // One follow-up at a time, the current one, when it is closed.
    reopen: () => {
      const row = current();
      if (!row || !isClosed(row) || selected().length) return;
      if (actedOn().length) act("reopen", {}, [row]);
    },
    email: () => {
      if (selected().length) {
        bulkForm.requestSubmit(bulkForm.querySelector("[data-bulk-email]"));
        return;
      }
      const row = current();
      if (row && row.dataset.emailUrl) {
        // Back on the list after sending, the row after this one is current.
        const after = rows()[rows().indexOf(row) + 1];
        const back = after ? `${listUrl()}#card-${cardId(after)}` : listUrl();
        window.location.href = `${row.dataset.emailUrl}?next=${encodeURIComponent(back)}`;
      }
    },
    assign: async () => {
      if (!dialogs.assign) return;
      const rows = actedOn();
      if (!rows.length) return;
      const how = await ask("assign", rows);
      if (how) act("assign", { owner: dialogs.assign.querySelector("[name=owner]").value }, rows);
    },
  };

  const keys = {
    j: () => move(1),
    ArrowDown: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    Enter: commands.open,
    " ": () => {
      const row = current();
      if (!row) return;
      const box = row.querySelector("[data-select]");
      if (box) select(row, !box.checked);
      anchor = row;
      showSelection();
    },
    d: commands.done,
    s: commands.snooze,
    x: commands.drop,
    o: commands.reopen,
    e: commands.email,
    a: commands.assign,
    u: undoLast,
    "/": () => document.getElementById("id_q").focus(),
    "?": () => dialogs.keys.showModal(),
    Escape: closePanel,
  };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    // Focus stays a moment in a dialog just closed: the keys are the list's again.
    const target = event.target.closest("dialog:not([open])") ? document.body : event.target;
    if (target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]")) {
      if (event.key === "Escape") target.blur();
      return;
    }
    // A focused link or button keeps its own Enter and Space.
    if (target.closest("a[href], button") && (event.key === "Enter" || event.key === " ")) return;
    const command = keys[event.key];
    if (!command) return;
    event.preventDefault();
    command();
  });

  // In the snooze dialog, 1 is a day and w a week.
  dialogs.snooze.addEventListener("keydown", (event) => {
    if (event.target.matches("input")) return;
    const days = { 1: "1", w: "7" }[event.key];
    if (days) {
      event.preventDefault();
      dialogs.snooze.close(days);
    }
  });

  rowActions.addEventListener("click", (event) => {
    const button = event.target.closest("[data-do]");
    if (button) commands[button.dataset.do]();
  });

  document.querySelector("[data-show-keys]").addEventListener("click", () => dialogs.keys.showModal());

  // Tab into a row makes it the current one: the keys act on the row the focus is in. (A
  // click does so itself, after the click: moving the row's actions before it would move
  // what was clicked.)
  list.addEventListener("focusin", (event) => {
    const row = event.target.closest("[data-card]");
    if (row && row !== current() && event.target.matches(":focus-visible")) setCurrent(row);
  });

  list.addEventListener("click", (event) => {
    const row = event.target.closest("[data-card]");
    if (!row || event.target.closest("[data-row-actions]")) return;
    const box = event.target.closest("[data-select]");
    if (box) {
      if (event.shiftKey && anchor) selectRange(row);
      anchor = row;
      showSelection();
      setCurrent(row);
      box.blur(); // the keys go on working the list
      return;
    }
    if (event.target.closest("a") && !event.target.closest("a[data-name]")) return;
    if (event.target.closest("a[data-name]") && (event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    if (event.shiftKey) {
      selectRange(row);
      showSelection();
    }
    setCurrent(row);
    if (!event.shiftKey) openPanel(row, true);
  });

  // The panel's own forms: the row's actions, by script, with the panel shown again after.
  panel.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-followup-action]");
    if (!form) return;
    event.preventDefault();
    const submitter = event.submitter;
    const url = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    const body = await send(url, data);
    if (body) openPanel(list.querySelector(`[data-card="${panel.dataset.shows}"]`), true);
  });

  panel.addEventListener("click", (event) => {
    if (event.target.closest("[data-panel-close]")) {
      event.preventDefault();
      closePanel();
    }
  });

  // The bulk bar's buttons, by script; emailing goes to its progress page as a plain post.
  bulkForm.addEventListener("submit", async (event) => {
    const submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-bulk-email")) return;
    event.preventDefault();
    const url = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : bulkForm.action;
    const data = new FormData(bulkForm);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    const cards = selected().map(cardId);
    if (await send(url, data)) afterBulk(cards);
  });

  showSelection();
  const asked = window.location.hash.match(/^#card-(\d+)$/);
  setCurrent((asked && list.querySelector(`[data-card="${asked[1]}"]`)) || rows()[0]);
})();
