// The browser contexts the e2e stories look through: a phone (a 390 px wide touch screen at 2×).
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
