// Package fakeclient holds scripted RTMP clients modelled on Flash Player's NetConnection and
// NetStream: a VOD player with a buffer model, play scripts and Stream Reconnect (play2
// resume, playlist rebuild, load-balance move), and a live publisher and viewer with WCS-style
// Streaming Auto Restore. Deliberately broken behaviours ("mutants") serve as negative
// controls for the harness' checkers. It knows nothing of the harness: it reports through an
// OnEvent callback.
package fakeclient

import (
	"context"
	"fmt"

	"github.com/yutopp/go-amf0"

	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// Status codes a NetConnection or NetStream reports.
const (
	ConnectSuccess = "NetConnection.Connect.Success"
	ConnectClosed  = "NetConnection.Connect.Closed"
	ConnectFailed  = "NetConnection.Connect.Failed"
	NetworkChange  = "NetConnection.Connect.NetworkChange"
	PlayStart      = "NetStream.Play.Start"
	PlayReset      = "NetStream.Play.Reset"
	PlayStop       = "NetStream.Play.Stop"
	PlayComplete   = "NetStream.Play.Complete"
	PlayFailed     = "NetStream.Play.Failed"
	BufferFull     = "NetStream.Buffer.Full"
	BufferEmpty    = "NetStream.Buffer.Empty"
)

// netConnection is an open NetConnection with one NetStream created on it.
type netConnection struct {
	conn     *rtmpconn.Conn
	streamID uint32
	version  string          // server version from the connect result's data.version
	cmds     chan []play2Cmd // play2 calls for the connection's writer
}

// openNetConnection dials, connects to app and creates a stream, all bounded by ctx.
func openNetConnection(ctx context.Context, addr, app string, opts rtmpconn.Options) (*netConnection, error) {
	c, err := rtmpconn.Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = c.Close()
		}
	}()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	tcURL := "rtmp://" + addr + "/" + app
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "connect", 1, map[string]any{
		"app": app, "flashVer": "LNX 10,1,82,76", "tcUrl": tcURL, "fpad": false, "capabilities": 15,
		"audioCodecs": 3191, "videoCodecs": 252, "videoFunction": 1, "objectEncoding": 0,
	}); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	res, err := awaitResult(c, 1)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	info, _ := res.Arg(1).(map[string]any)
	if code, _ := info["code"].(string); res.Name != "_result" || code != ConnectSuccess {
		return nil, fmt.Errorf("connect refused: %s %v", res.Name, info["code"])
	}
	nc := &netConnection{conn: c}
	switch data := info["data"].(type) {
	case amf0.ECMAArray:
		nc.version, _ = data["version"].(string)
	case map[string]any:
		nc.version, _ = data["version"].(string)
	}
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "createStream", 2, nil); err != nil {
		return nil, fmt.Errorf("createStream: %w", err)
	}
	res, err = awaitResult(c, 2)
	if err != nil {
		return nil, fmt.Errorf("createStream: %w", err)
	}
	id, isNum := res.Arg(1).(float64)
	if res.Name != "_result" || !isNum || id < 1 {
		return nil, fmt.Errorf("createStream: unexpected answer %s %v", res.Name, res.Args)
	}
	nc.streamID = uint32(id)
	ok = true
	return nc, nil
}

// awaitResult reads until the _result or _error of transaction tx, skipping anything else
// (control messages are applied by the connection itself).
func awaitResult(c *rtmpconn.Conn, tx int64) (*rtmpconn.Command, error) {
	for i := 0; i < 64; i++ {
		m, err := c.Read()
		if err != nil {
			if _, skip := err.(*rtmpconn.DecodeError); skip {
				continue
			}
			return nil, err
		}
		if m.Command != nil && m.Command.TransactionID == tx && (m.Command.Name == "_result" || m.Command.Name == "_error") {
			return m.Command, nil
		}
	}
	return nil, fmt.Errorf("no answer to transaction %d within 64 messages", tx)
}

// statusCode extracts info.code from an onStatus command or onPlayStatus data message.
func statusCode(cmd *rtmpconn.Command) (string, bool) {
	if cmd == nil {
		return "", false
	}
	var info any
	switch cmd.Name {
	case "onStatus":
		info = cmd.Arg(1)
	case "onPlayStatus":
		info = cmd.Arg(0)
	default:
		return "", false
	}
	m, _ := info.(map[string]any)
	code, ok := m["code"].(string)
	return code, ok
}
