// node-media-server (npm, v2) as a server subject: RTMP on the port the harness gives
// (argv[2]), on loopback only (the module itself listens on every interface), logging to
// stdout for the history. Installed by `make deps` into .cache/node (NODE_PATH).
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === 'number') {
    return listen.call(this, port, '127.0.0.1', ...rest.filter((a) => typeof a === 'function'));
  }
  return listen.call(this, port, ...rest);
};
const NodeMediaServer = require('node-media-server');
const port = parseInt(process.argv[2], 10);
if (!(port > 0)) {
  console.error('usage: node-media-server.js PORT');
  process.exit(2);
}
new NodeMediaServer({ logType: 3, rtmp: { port, chunk_size: 4096, gop_cache: true, ping: 30, ping_timeout: 60 } }).run();
