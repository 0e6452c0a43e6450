// The webcam snapshot, where the browser has a camera API: `button` opens the camera in
// `panel`, whose Capture button hands a JPEG to `onSnapshot`.
export function startWebcam(panel, button, { onSnapshot, onProblem }) {
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return;
  const video = panel.querySelector("video");
  let stream = null;
  const close = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    panel.classList.add("d-none");
  };
  button.classList.remove("d-none");
  button.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true });
    } catch (error) {
      onProblem("No camera available.");
      return;
    }
    video.srcObject = stream;
    panel.classList.remove("d-none");
  });
  panel.querySelector("[data-webcam-capture]").addEventListener("click", () => {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(onSnapshot, "image/jpeg", 0.9);
    close();
  });
  panel.querySelector("[data-webcam-close]").addEventListener("click", close);
}
