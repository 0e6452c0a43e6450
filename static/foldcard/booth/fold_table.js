// The booth page decodes folds with the table the server compiled when it was loaded
// (#fold-table), and stays open all day while the vocabulary may be edited. Each save's
// answer, and each lookup's, carries the fingerprint of the table the server decodes
// with now; when it is not the page's, the page is fetched again for its table, which
// also renews the copy kept for a reload offline (sw.js). Offline, the page keeps its table.

// Keep `editor`'s table that of the booth page at `url`; return check(version), to be
// called with each answer's fold_table_version.
export function followFoldTable(url, editor) {
  let current = JSON.parse(document.getElementById("fold-table-version").textContent);
  let fetching = false;

  async function fetchTable() {
    const response = await fetch(url, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    });
    // A login page (an ended session) has no table: this one stays.
    if (!response.ok || response.redirected) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const table = page.getElementById("fold-table");
    const version = page.getElementById("fold-table-version");
    if (!table || !version) return;
    editor.setTable(JSON.parse(table.textContent));
    current = JSON.parse(version.textContent);
  }

  return async function check(version) {
    if (!version || version === current || fetching) return;
    fetching = true;
    try {
      await fetchTable();
    } catch (error) {
      // No network: the page keeps its table until an answer says so again.
    } finally {
      fetching = false;
    }
  };
}
