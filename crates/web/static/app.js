// Progressive enhancement only: every page works without this file.
// A filter form applies as soon as a choice changes, instead of waiting for its button.
document.querySelectorAll("form.filters select").forEach((s) => {
  s.addEventListener("change", () => s.form.requestSubmit());
});

// Spreadsheet keys: arrows and Enter move between cells (Enter down, then on to the next
// column), Ctrl+Enter saves; a number not in the page's form is marked as it is typed. The
// server checks everything again: this only saves a round trip.
(function () {
  var form = document.getElementById('entry');
  if (!form) return;
  var ok = form.dataset.lang === 'vi'
    ? /^[+-]?(\d{1,3}(\.\d{3})+|\d*)(,\d+)?$/
    : /^[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?$/;
  function cell(r, c) {
    return form.querySelector('input[data-r="' + r + '"][data-c="' + c + '"]');
  }
  form.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t.dataset.r === undefined) return;
    var r = +t.dataset.r, c = +t.dataset.c, next = null;
    if (e.key === 'Enter' && e.ctrlKey) { e.preventDefault(); form.requestSubmit(); return; }
    if (e.key === 'Enter') { e.preventDefault(); next = cell(r + 1, c) || cell(0, c + 1); }
    else if (e.key === 'ArrowDown') next = cell(r + 1, c);
    else if (e.key === 'ArrowUp') next = cell(r - 1, c);
    else if (e.key === 'ArrowLeft' && t.selectionStart === 0 && t.selectionEnd === 0) next = cell(r, c - 1);
    else if (e.key === 'ArrowRight' && t.selectionStart === t.value.length) next = cell(r, c + 1);
    if (next) { e.preventDefault(); next.focus(); next.select(); }
  });
  form.addEventListener('input', function (e) {
    var t = e.target;
    if (t.dataset.r === undefined) return;
    var v = t.value.trim();
    var bad = v !== '' && (!ok.test(v) || !/\d/.test(v));
    t.parentNode.classList.toggle('bad', bad);
    t.setAttribute('aria-invalid', bad ? 'true' : 'false');
    t.title = bad ? form.dataset.bad : '';
  });
})();
