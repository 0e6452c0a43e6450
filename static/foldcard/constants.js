// What the booth keeps for a reload without network, shared by the booth page and the
// offline worker (sw.js), which imports this file by its unhashed name.
export const BOOTH_CACHE = "foldcard-booth-v1";
export const STATIC_PREFIX = "/static/";
// The only pages kept: other pages show people's details.
export const BOOTH_PAGE = /^\/events\/[^/]+\/booth\/$/;
