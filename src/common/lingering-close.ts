import type { Socket } from 'node:net';
import type { Request, Response } from 'express';

/** How long a refused upload's connection stays half-open after the answer went out. */
export const LINGER_MS = 2_000;

type StoppableSocket = Socket & { destroySoon?: () => void; _handle?: { readStop?: () => number } | null };

/**
 * For an answer sent before the request's body was read (a refusal on the headers): closes the
 * connection once the answer is out, in a way that lets the client read it. Node would close the
 * socket as soon as the answer is flushed; with body bytes still arriving (or unread in its
 * buffer) the kernel then answers with a TCP reset, and a client that writes its whole upload
 * before reading (curl, most HTTP libraries) fails on EPIPE/ECONNRESET instead of reading the
 * answer. So: half-close (FIN after the answer), stop reading, and close after LINGER_MS. What the client still sends meanwhile waits in the kernel's socket
 * buffers (bounded by them, a few MiB at most) and is discarded with the socket: reading it
 * would cost the process memory for every refused upload. Only refused requests take this path.
 */
export function closeAfterAnswer(request: Request, response: Response): void {
  // With Connection: close, Node ends the socket once the answer is flushed, through destroySoon.
  response.setHeader('Connection', 'close');
  const socket = request.socket as StoppableSocket;
  socket.destroySoon = () => linger(socket);
}

function linger(socket: StoppableSocket): void {
  if (socket.destroyed) return;
  socket.end();
  // The HTTP parser reads the socket's handle directly (pause() does not stop it): stop the handle.
  socket._handle?.readStop?.();
  const deadline = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(deadline));
}
