() => {
  // A click on an answer's [n] (a link to #tq-source-n) scrolls the sources panel, not the page,
  // to talk n's card and highlights it and the passage sentences it supports for a moment.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#tq-source-"]');
    if (!link) return;
    const card = document.getElementById(link.getAttribute("href").slice(1));
    event.preventDefault();
    event.stopPropagation();
    if (!card) return;
    const more = card.closest("details");
    if (more) more.open = true;
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    card.classList.remove("tq-flash");
    void card.offsetWidth;  // restart the highlight when the same marker is clicked again
    card.classList.add("tq-flash");
    card.setAttribute("tabindex", "-1");
    card.focus({ preventScroll: true });
  }, true);
}
