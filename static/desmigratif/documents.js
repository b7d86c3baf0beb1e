// A photo is made smaller on the phone before it is sent (input[data-downscale]): a 4 MB camera
// photo becomes a few hundred KB over a village's 3G. Drawing it again also leaves its metadata
// (EXIF: the place, the time, the phone) behind; the server re-encodes it without any anyway
// (households/documents.py), so a browser that cannot do this sends the original.
(() => {
  "use strict";
  const MAX_SIDE = 1600;
  const kb = (bytes) => `${Math.round(bytes / 1024)} KB`;

  async function smaller(file) {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob && blob.size < file.size ? new File([blob], "photo.jpg", { type: "image/jpeg" }) : null;
  }

  for (const input of document.querySelectorAll("input[type=file][data-downscale]")) {
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file || !file.type.startsWith("image/") || !window.createImageBitmap || !window.DataTransfer) return;
      const submit = input.form.querySelector("button[type=submit]");
      const note = input.form.querySelector("[data-downscale-note]");
      submit.disabled = true; // until the smaller photo is in the form
      try {
        const photo = await smaller(file);
        if (photo) {
          const transfer = new DataTransfer();
          transfer.items.add(photo);
          input.files = transfer.files;
          if (note) note.textContent = `${kb(file.size)} → ${kb(photo.size)}`;
        }
      } catch (error) {
        // The original is sent; the server makes it smaller.
      } finally {
        submit.disabled = false;
      }
    });
  }
})();
