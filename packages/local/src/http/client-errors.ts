import type { Server } from "node:http";
import type { Http2SecureServer, Http2Server } from "node:http2";
import type { Duplex } from "node:stream";

type NodeServer = Server | Http2Server | Http2SecureServer;

/**
 * Node's HTTP parser refuses some requests before any handler runs — most often raw UTF-8 in
 * the request line, as `curl "…?q=елка"` sends it (browsers percent-encode). By default Node
 * answers those with a bare `400` and no body, which looks like the server broke. This answers
 * an RFC 9457 problem+json that says what went wrong and what to do instead.
 */
export function answerMalformedRequests(server: NodeServer): void {
  (server as Server).on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A client that went away, or a socket already answered, needs nothing more.
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, title, detail } = describe(error.code);
    const body = JSON.stringify({
      type: "about:blank",
      title,
      status,
      code: status === 431 ? "headers_too_large" : "malformed_request",
      detail,
    });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\n` +
        "Content-Type: application/problem+json\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body,
    );
  });
}

function describe(code: string | undefined): { status: number; title: string; detail: string } {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        title: "Request Header Fields Too Large",
        detail: "The request's headers are too large. Send fewer or shorter headers.",
      };
    case "HPE_INVALID_CHARACTER":
    case "HPE_INVALID_URL":
    case "HPE_INVALID_METHOD":
      return {
        status: 400,
        title: "Bad Request",
        detail:
          "The request line contains characters that must be percent-encoded (for example non-ASCII text in the query). " +
          "Encode the URL: with curl, use -G --data-urlencode 'q=…'; browsers and HTTP libraries do this for you.",
      };
    default:
      return {
        status: 400,
        title: "Bad Request",
        detail: "The request could not be parsed as HTTP/1.1.",
      };
  }
}
