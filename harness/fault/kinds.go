package fault

import "github.com/streamfault/streamfault/internal/spec"

// Kinds is the table of fault kinds, in the order the documentation and the schema list them.
// Adding a kind is a file with its options and behaviour, and a line here.
var Kinds = spec.Table[Spec]{
	{Key: "drop", Doc: "Drop ends every live connection of a route with a clean close (EOF on both sides).", New: func() Spec { return &Drop{} }},
	{Key: "reset", Doc: "Reset ends every live connection of a route with a TCP reset (ECONNRESET).", New: func() Spec { return &Reset{} }},
	{Key: "disable", Doc: "Disable closes a route's live connections and refuses new ones (until For or Enable).", New: func() Spec { return &Disable{} }},
	{Key: "enable", Doc: "Enable accepts connections on a disabled route again.", New: func() Spec { return &Enable{} }},
	{Key: "stall", Doc: "Stall pauses a route in both directions without losing a byte; For resumes it.", New: func() Spec { return &Stall{} }},
	{Key: "blackhole", Doc: "Blackhole makes a route's bytes vanish while sockets stay open; undoing it closes them.", New: func() Spec { return &Blackhole{} }},
	{Key: "flap", Doc: "Flap drops a route every Every, Times times.", New: func() Spec { return &Flap{} }},
	{Key: "switchRoute", Doc: "SwitchRoute is a network change for a client (e.g. Wi-Fi to LTE): its later\nconnections go through another route; its current one is left as it is.", New: func() Spec { return &SwitchRouteFault{} }},
	{Key: "move", Doc: "Move is a load-balance move of a client: it attaches to a new connection through\nRoute (typically to another server), closes the old one once attached, and resumes there.", New: func() Spec { return &Move{} }},
	{Key: "manualStop", Doc: "ManualStop stops a publisher by hand: it clears its state and must not restore.", New: func() Spec { return &ManualStop{} }},
	{Key: "kill", Doc: "Kill aborts the server's every socket (RST) and stops it listening; For restarts it.", New: func() Spec { return &Kill{} }},
	{Key: "restart", Doc: "Restart kills the server and starts it again on the same address at once.", New: func() Spec { return &Restart{} }},
	{Key: "shutdown", Doc: "Shutdown closes the server gracefully (FIN) and stops it listening; For restarts it.", New: func() Spec { return &Shutdown{} }},
	{Key: "stallMedia", Doc: "StallMedia makes the server stop sending media while every socket stays open and\nread (a server-side stall); For resumes it.", New: func() Spec { return &StallMedia{} }},
	{Key: "latency", Doc: "Latency delays every chunk of data (Toxiproxy latency toxic).", New: func() Spec { return &LatencyToxic{} }},
	{Key: "bandwidth", Doc: "Bandwidth limits throughput (Toxiproxy bandwidth toxic).", New: func() Spec { return &BandwidthToxic{} }},
	{Key: "slowClose", Doc: "SlowClose delays the close of a connection (Toxiproxy slow_close toxic).", New: func() Spec { return &SlowCloseToxic{} }},
	{Key: "timeout", Doc: "Timeout stops data and closes the connection after an idle time (Toxiproxy timeout toxic).", New: func() Spec { return &Timeout{} }},
	{Key: "resetPeer", Doc: "ResetPeer resets connections after a timeout (Toxiproxy reset_peer toxic); it acts on\nconnections opened while it is present.", New: func() Spec { return &ResetPeer{} }},
	{Key: "limitData", Doc: "LimitData closes a connection after some bytes (Toxiproxy limit_data toxic).", New: func() Spec { return &LimitDataToxic{} }},
	{Key: "slicer", Doc: "Slicer slices data into small delayed bits (Toxiproxy slicer toxic).", New: func() Spec { return &SlicerToxic{} }},
}
