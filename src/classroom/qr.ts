// The join URL as a QR code, so a room can join from their phones: drawn with text characters for the terminal that
// runs `serve --classroom`, and as SVG for the dashboard (which a projector can show). The only importer of qrcode,
// loaded when a class first draws one: a talk without a class never needs it.

/** The QR code as lines of block characters, for a terminal (black on white or white on black both scan). */
export async function joinQrText(url: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(url, { type: 'utf8', errorCorrectionLevel: 'M', margin: 2 });
}

/** The QR code as a standalone SVG element (no script, no external reference: safe to inline in a page). */
export async function joinQrSvg(url: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
