// Loaded before the Bootstrap Italia bundle: stop video.js from injecting
// inline styles, which the Content-Security-Policy forbids.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
