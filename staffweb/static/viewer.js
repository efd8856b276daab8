// Zoom and rotate a material page in place (the staff console, no build step).
// Without JavaScript every page is still a link to its full picture; with it, the buttons
// under a page appear. Rotation turns the page's box too, so a turned page never overlaps
// the next one, and a zoomed page scrolls inside its frame.
"use strict";
(function () {
  const BASE = 400; // px of a page's longer side at zoom 1 (as the stylesheet shows it)
  const ZOOMS = [0.5, 0.75, 1, 1.5, 2, 3, 4];

  function draw(sheet) {
    const img = sheet.querySelector("img");
    const box = sheet.querySelector(".turn");
    if (!img || !box || !img.naturalWidth) return;
    const zoom = ZOOMS[Number(sheet.dataset.zoom)];
    const turn = Number(sheet.dataset.turn);
    const scale = (zoom * BASE) / Math.max(img.naturalWidth, img.naturalHeight);
    const w = img.naturalWidth * scale;
    const h = img.naturalHeight * scale;
    const sideways = turn === 90 || turn === 270;
    box.style.width = (sideways ? h : w) + "px";
    box.style.height = (sideways ? w : h) + "px";
    img.style.width = w + "px";
    img.style.height = h + "px";
    img.style.maxWidth = "none";
    img.style.maxHeight = "none";
    img.style.position = "absolute";
    img.style.left = "0";
    img.style.top = "0";
    img.style.transformOrigin = "0 0";
    const shift = { 0: "", 90: `translate(${h}px,0)`, 180: `translate(${w}px,${h}px)`,
                    270: `translate(0,${w}px)` }[turn];
    img.style.transform = `${shift} rotate(${turn}deg)`;
    sheet.dataset.shown = `${Math.round(w)}x${Math.round(h)}@${turn}`;
  }

  function act(sheet, action) {
    let zoom = Number(sheet.dataset.zoom);
    let turn = Number(sheet.dataset.turn);
    if (action === "in") zoom = Math.min(zoom + 1, ZOOMS.length - 1);
    if (action === "out") zoom = Math.max(zoom - 1, 0);
    if (action === "right") turn = (turn + 90) % 360;
    if (action === "left") turn = (turn + 270) % 360;
    if (action === "reset") { zoom = ZOOMS.indexOf(1); turn = 0; }
    sheet.dataset.zoom = String(zoom);
    sheet.dataset.turn = String(turn);
    draw(sheet);
  }

  function setUp(sheet) {
    sheet.dataset.zoom = String(ZOOMS.indexOf(1));
    sheet.dataset.turn = "0";
    const img = sheet.querySelector("img");
    if (img.complete) draw(sheet); else img.addEventListener("load", () => draw(sheet));
    const tools = sheet.querySelector(".tools");
    tools.hidden = false;
    tools.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-act]");
      if (button) { event.preventDefault(); act(sheet, button.dataset.act); }
    });
  }

  document.querySelectorAll(".sheet").forEach(setUp);
})();
