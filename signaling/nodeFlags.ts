// The Node.js flags a signaling process runs with; every launcher passes
// them (npm start, the tests, the benchmark), and a deployment should too.
//
// NOTE: a signaling process allocates fast (a packet and its callbacks for
// each socket on every chat tick) and keeps thousands of sockets alive, so
// with V8's default young generation it ran a scavenge 2.6 times a second,
// 14 ms on average, with 5,000 members per process. A 64 MiB semi-space cut
// that to a scavenge every 1.3 s and a third of the GC time, and the chat
// delivery p99 of bench:signaling from 1121 to 782 ms.
export const SIGNALING_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
