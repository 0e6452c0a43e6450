// The CSRF token for a script's POST: the cookie holds the current one (it changes at
// login); the form's hidden field is the fallback when cookies are unreadable.
export function csrfToken(form) {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? cookie.slice("csrftoken=".length) : form.elements.csrfmiddlewaretoken.value;
}
