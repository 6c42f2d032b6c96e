/* matplotlib's animation players (Animation.to_jshtml), usable without sight
   and without a mouse.

   A player is a <div class="animation">: the frame (an <img>), a range slider,
   nine buttons with aria-labels, and a form with the repetition mode. Its
   inline script creates one object per player, window["anim" + id], whose
   set_frame(k) shows frame k. For every player on the page this script

   - names the slider ("Frame") and gives it a value text ("Frame 3 of 21"),
     kept up to date whichever control changes the frame;
   - adds a status line under the controls that says which frame is shown and,
     when the player's element has a data-frame-text attribute (a JSON list,
     one description per frame), what that frame shows. It is a polite live
     region: a screen reader reads it when the reader steps through the frames
     with the buttons, but not while the animation plays (and not twice when
     the slider already announces its value).
*/
(function () {
  "use strict";

  function frameTexts(player) {
    try {
      const texts = JSON.parse(player.dataset.frameText || "null");
      return Array.isArray(texts) ? texts.map(String) : null;
    } catch (error) {
      return null;
    }
  }

  function enhance(player) {
    const slider = player.querySelector("input.anim-slider");
    if (!slider || player.querySelector(".anim-status")) return;
    const id = slider.id.replace(/^_anim_slider/, "");
    const texts = frameTexts(player);

    slider.setAttribute("aria-label", "Frame");
    const status = document.createElement("p");
    status.className = "anim-status";
    status.id = "_anim_status" + id;
    status.setAttribute("aria-live", "polite");
    (player.querySelector(".anim-controls") || player).appendChild(status);

    function update(anim) {
      const count = anim ? anim.frames.length : texts ? texts.length : Number(slider.max) + 1;
      // while it wraps around, the player's counter is briefly one past either end
      const frame = Math.min(Math.max(anim ? anim.current_frame : Number(slider.value), 0), count - 1);
      const where = `Frame ${frame + 1} of ${count}`;
      const what = texts && texts[frame] ? texts[frame] : "";
      slider.setAttribute("aria-valuetext", what ? `${where}: ${what}` : where);
      const quiet = (anim && anim.direction !== 0) || document.activeElement === slider;
      status.setAttribute("aria-live", quiet ? "off" : "polite");
      status.textContent = what ? `${where}. ${what}` : where;
    }

    // The object exists once the player's own script has run (it waits for a
    // zero timeout); then wrap the two methods through which every change of
    // frame or of playing state passes.
    let tries = 0;
    (function attach() {
      const anim = window["anim" + id];
      if (!anim || typeof anim.set_frame !== "function") {
        update(null);
        if (tries++ < 100) setTimeout(attach, 50);
        return;
      }
      const setFrame = anim.set_frame;
      anim.set_frame = function (frame) {
        setFrame.call(this, frame);
        update(this);
      };
      const pause = anim.pause_animation;
      anim.pause_animation = function () {
        pause.call(this);
        update(this);
      };
      update(anim);
    })();
  }

  function enhanceAll() {
    document.querySelectorAll("div.animation").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
