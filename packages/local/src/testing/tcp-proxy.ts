import { createServer, connect, type Socket } from "node:net";

/**
 * A TCP proxy on loopback for fault injection: forwards to `target` until cut.
 * - `cut("reset")`: every connection is destroyed and new ones are closed at once (a server
 *   that went away: RST / refused).
 * - `cut("blackhole")`: connections stay open but nothing is forwarded either way, and new ones
 *   are accepted and left hanging (a network partition: the worst case, no error ever comes).
 * `restore()` forwards again (connections cut while blackholed are dropped, as after a partition).
 */
export interface TcpProxy {
  readonly port: number;
  cut(mode: "reset" | "blackhole"): void;
  restore(): void;
  close(): Promise<void>;
}

function destroyPair([client, upstream]: [Socket, Socket | undefined]) {
  client.destroy();
  upstream?.destroy();
}

export async function startTcpProxy(
  target: { host: string; port: number },
  listenPort = 0,
): Promise<TcpProxy> {
  let mode: "up" | "reset" | "blackhole" = "up";
  const pairs = new Set<[Socket, Socket | undefined]>();
  const held = new Set<Socket>();
  const server = createServer((client) => {
    client.on("error", () => {});
    if (mode === "reset") return client.destroy();
    if (mode === "blackhole") {
      held.add(client);
      client.on("close", () => held.delete(client));
      return;
    }
    const upstream = connect(target.port, target.host);
    upstream.on("error", () => client.destroy());
    const pair: [Socket, Socket | undefined] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop);
    upstream.on("close", drop);
    client.on("data", (chunk) => {
      if (mode === "up") upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (mode === "up") client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : listenPort;
  return {
    port,
    cut(next) {
      mode = next;
      if (next === "reset") for (const pair of [...pairs]) destroyPair(pair);
    },
    restore() {
      // What was held during a partition is gone for good (both ends time out eventually).
      if (mode === "blackhole") for (const pair of [...pairs]) destroyPair(pair);
      for (const c of [...held]) c.destroy();
      held.clear();
      mode = "up";
    },
    async close() {
      for (const pair of [...pairs]) destroyPair(pair);
      for (const c of [...held]) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
