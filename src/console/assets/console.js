/* global document */
// Progressive enhancement only: every page works without this file or htmx.
// After htmx replaces the page (a boosted link or form), move focus to the new content, as a
// full page load would, so keyboard and screen-reader users start at the top of the new page.
document.addEventListener('htmx:afterSettle', function (event) {
  if (event.detail && event.detail.boosted) {
    var main = document.getElementById('main');
    if (main) {
      main.setAttribute('tabindex', '-1');
      main.focus();
    }
  }
});
