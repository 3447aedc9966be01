// Site-wide behaviour, kept out of the pages so that the Content Security Policy allows no inline script.
// A <select data-autosubmit> (the language menu) submits its form as soon as a choice is made.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
    select.form.submit();
  }
});
