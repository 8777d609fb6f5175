// Processes and ports for the tests that drive the real app (e2e, cold-start benchmark).

import net from "node:net";

/** A TCP port on loopback that nothing listens on (the moment it is asked). */
export async function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on `port`, polling every `everyMs`. */
export async function waitPort(port, { ms = 30000, everyMs = 200 } = {}) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.end();
        r(true);
      });
      s.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`port ${port} did not open`);
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Stops a child started with `detached: true` (its own process group): SIGTERM to the group (tauri-driver
 * then stops WebKitWebDriver; the server drains and exits), SIGKILL after 5 s, and SIGKILL to whatever the
 * child left in its group (an app whose WebDriver session was not closed).
 */
export function stop(child) {
  return new Promise((resolve) => {
    const done = () => {
      signalGroup(child, "SIGKILL");
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    signalGroup(child, "SIGTERM");
  });
}
