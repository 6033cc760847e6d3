// The WebSocket side of a terminal (docs/protocol.md): decodes the client's frames, checks the hello, attaches the
// viewer to its TerminalSession and encodes what the session sends. The upgrade handler (not here) checks Origin
// with isAllowedOrigin() (origin.ts) and picks the subprotocol; the hello's token is checked through `authorize`.
import type { RawData, WebSocket } from 'ws';
import { CloseCode, decodeClientMessage, encodeServerMessage, MAX_CLIENT_FRAME_BYTES, type ClientHello, type ViewerRole } from '../protocol.ts';
import { TerminalRefusal, type TerminalManager } from '../terminal/manager.ts';
import type { ViewerConnection } from '../terminal/session.ts';

/** What a hello's token grants: whose terminal, and in which role. */
export interface TerminalAccess {
  readonly attendee: string;
  readonly role: ViewerRole;
}

export interface TerminalSocketOptions {
  readonly manager: TerminalManager;
  /**
   * Who the hello's token belongs to and whether it may open `hello.attendee`'s (or its own) terminal; undefined
   * refuses. When the upgrade already authenticated the viewer (cookie), return that identity.
   */
  readonly authorize: (hello: ClientHello) => TerminalAccess | undefined;
  readonly log?: (line: string) => void;
  /** A socket that sends no hello within this time is closed. */
  readonly helloTimeoutMs?: number;
}

/**
 * What the WebSocketServer of terminal sockets needs. `closeTimeout`: how long a closing socket (either side sent its
 * close frame) may take to finish the closing handshake before it is destroyed. Its close frame waits behind whatever
 * output is still in the send buffer, so a peer that stops reading would otherwise keep that buffer (up to its
 * window) and its viewer attached for ws's default of 30 s. (ws 8.23 takes it; @types/ws 8.18 does not declare it.)
 */
export const terminalSocketServerOptions: { readonly closeTimeout: number } = { closeTimeout: 5_000 };

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
function closeReason(text: string): string {
  const encoded = new TextEncoder().encode(text);
  return encoded.byteLength <= 123 ? text : new TextDecoder().decode(encoded.subarray(0, 120)).replace(/\uFFFD$/, '') + '...';
}

function asBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** Runs the terminal protocol on an upgraded socket until either side closes; both are torn down together. */
export function attachTerminalSocket(socket: WebSocket, options: TerminalSocketOptions): void {
  const log = options.log ?? (() => {});
  let connection: ViewerConnection | undefined;
  let closed = false;
  // Counted, not logged one by one: a client can send thousands a second.
  let unknownFrames = 0;
  // Payload bytes of output and snapshot frames not yet handed to the kernel (ws calls back once a frame is written).
  let undelivered = 0;

  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    connection?.detach();
    socket.close(code, closeReason(reason));
  };

  const helloTimer = setTimeout(() => close(CloseCode.policyViolation, 'no hello received'), options.helloTimeoutMs ?? 10_000);

  const hello = (request: ClientHello) => {
    const access = options.authorize(request);
    if (!access) return close(CloseCode.policyViolation, 'not authorized for this terminal');
    try {
      connection = options.manager.attach(
        { attendee: access.attendee, terminal: request.terminal, role: access.role, cols: request.cols, rows: request.rows },
        {
          send: (message) => {
            if (closed) return;
            const payload = message.type === 'output' || message.type === 'snapshot' ? message.data.byteLength : 0;
            undelivered += payload;
            socket.send(encodeServerMessage(message), () => {
              undelivered -= payload;
            });
          },
          undelivered: () => undelivered,
          close: (reason) => close(CloseCode.normal, reason),
        },
      );
    } catch (error) {
      if (error instanceof TerminalRefusal) return close(CloseCode.policyViolation, error.message);
      log(`terminal ${access.attendee}/${request.terminal}: could not start: ${error instanceof Error ? error.message : String(error)}`);
      return close(CloseCode.internalError, 'the terminal could not be started');
    }
  };

  socket.on('message', (data, isBinary) => {
    if (closed) return;
    if (!isBinary) return close(CloseCode.policyViolation, 'terminal frames are binary');
    const bytes = asBytes(data);
    if (bytes.byteLength > MAX_CLIENT_FRAME_BYTES) return close(CloseCode.messageTooBig, `frame larger than ${MAX_CLIENT_FRAME_BYTES} bytes`);
    const message = decodeClientMessage(bytes);
    switch (message.type) {
      case 'malformed':
        return close(CloseCode.policyViolation, message.reason);
      case 'unknown':
        if (unknownFrames++ === 0) log(`terminal socket: ignored a frame of unknown type 0x${message.frameType.toString(16)} (further ones are counted)`);
        return;
      case 'hello':
        if (connection) return close(CloseCode.policyViolation, 'hello sent twice');
        clearTimeout(helloTimer);
        return hello(message.hello);
    }
    if (!connection) return close(CloseCode.policyViolation, 'the first frame must be a hello');
    switch (message.type) {
      case 'input':
        return connection.input(message.data);
      case 'resize':
        return connection.resize(message.cols, message.rows);
      case 'ack':
        return connection.ack(message.bytes);
      case 'skip':
        return connection.skip();
    }
  });
  socket.on('close', () => {
    clearTimeout(helloTimer);
    closed = true;
    connection?.detach();
    if (unknownFrames > 1) log(`terminal socket: ignored ${unknownFrames} frames of unknown type in all`);
  });
  socket.on('error', (error) => {
    log(`terminal socket: ${error.message}`);
    close(CloseCode.internalError, 'socket error');
  });
}
