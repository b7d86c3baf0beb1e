// A search picker's box (desmigratif/pickers.py) searches as the officer types. Enter there
// searches at once instead of sending the whole form half filled in.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches(".search-picker input[type=search]")) {
    event.preventDefault();
    htmx.trigger(event.target, "search");
  }
});
