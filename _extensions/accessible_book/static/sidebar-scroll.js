/* The theme scrolls the sidebar on load so that the current page's link sits
   a quarter of the way down, even when the whole table of contents would show
   it without scrolling. The title and search block at the top of the sidebar
   stays in view (accessible-book.css), so that scroll only hides the first
   links under it. Scroll back to the top whenever the current link is in view
   from there. (The theme's script runs before DOMContentLoaded.) */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const sidebar = document.querySelector(".bd-sidebar-primary");
  const current = document.querySelectorAll(".bd-docs-nav li.active > a");
  if (!sidebar || !sidebar.scrollTop || !current.length) return;
  const link = current[current.length - 1];
  const bottom = link.getBoundingClientRect().bottom - sidebar.getBoundingClientRect().top
    + sidebar.scrollTop;
  if (bottom <= sidebar.clientHeight) sidebar.scrollTop = 0;
});
