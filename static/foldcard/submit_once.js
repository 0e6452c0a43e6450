// A form posted as a plain form is sent once: a second Enter while the first post is on
// its way would send the same version again, and be told that someone else changed the
// card meanwhile (its own first post). Back on the page (the browser's Back), it may be
// sent again.
export function submitOnce(form) {
  let sent = false;
  form.addEventListener("submit", (event) => {
    if (sent) event.preventDefault();
    sent = true;
  });
  window.addEventListener("pageshow", () => {
    sent = false;
  });
}
