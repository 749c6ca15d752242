package fault

// Kind is one fault kind: its YAML key, what it does (the JSON Schema's description) and
// how to make its options value.
type Kind struct {
	// Key is the kind's YAML key in a fault entry.
	Key string
	// Doc says what the fault does.
	Doc string
	// New returns a new, empty options value of the kind.
	New func() Spec
}

// Kinds is the table of fault kinds, in the order the documentation and the schema list them.
// Adding a kind is a file with its options and behaviour, and a line here.
var Kinds = []Kind{
	{"drop", "Drop ends every live connection of a route with a clean close (EOF on both sides).", func() Spec { return &Drop{} }},
	{"reset", "Reset ends every live connection of a route with a TCP reset (ECONNRESET).", func() Spec { return &Reset{} }},
	{"disable", "Disable closes a route's live connections and refuses new ones (until For or Enable).", func() Spec { return &Disable{} }},
	{"enable", "Enable accepts connections on a disabled route again.", func() Spec { return &Enable{} }},
	{"stall", "Stall pauses a route in both directions without losing a byte; For resumes it.", func() Spec { return &Stall{} }},
	{"blackhole", "Blackhole makes a route's bytes vanish while sockets stay open; undoing it closes them.", func() Spec { return &Blackhole{} }},
	{"flap", "Flap drops a route every Every, Times times.", func() Spec { return &Flap{} }},
	{"switchRoute", "SwitchRoute is a network change for a client (e.g. Wi-Fi to LTE): its later\nconnections go through another route; its current one is left as it is.", func() Spec { return &SwitchRouteFault{} }},
	{"move", "Move is a load-balance move of a client: it attaches to a new connection through\nRoute (typically to another server), closes the old one once attached, and resumes there.", func() Spec { return &Move{} }},
	{"manualStop", "ManualStop stops a publisher by hand: it clears its state and must not restore.", func() Spec { return &ManualStop{} }},
	{"kill", "Kill aborts the server's every socket (RST) and stops it listening; For restarts it.", func() Spec { return &Kill{} }},
	{"restart", "Restart kills the server and starts it again on the same address at once.", func() Spec { return &Restart{} }},
	{"shutdown", "Shutdown closes the server gracefully (FIN) and stops it listening; For restarts it.", func() Spec { return &Shutdown{} }},
	{"stallMedia", "StallMedia makes the server stop sending media while every socket stays open and\nread (a server-side stall); For resumes it.", func() Spec { return &StallMedia{} }},
	{"latency", "Latency delays every chunk of data (Toxiproxy latency toxic).", func() Spec { return &LatencyToxic{} }},
	{"bandwidth", "Bandwidth limits throughput (Toxiproxy bandwidth toxic).", func() Spec { return &BandwidthToxic{} }},
	{"slowClose", "SlowClose delays the close of a connection (Toxiproxy slow_close toxic).", func() Spec { return &SlowCloseToxic{} }},
	{"timeout", "Timeout stops data and closes the connection after an idle time (Toxiproxy timeout toxic).", func() Spec { return &Timeout{} }},
	{"resetPeer", "ResetPeer resets connections after a timeout (Toxiproxy reset_peer toxic); it acts on\nconnections opened while it is present.", func() Spec { return &ResetPeer{} }},
	{"limitData", "LimitData closes a connection after some bytes (Toxiproxy limit_data toxic).", func() Spec { return &LimitDataToxic{} }},
	{"slicer", "Slicer slices data into small delayed bits (Toxiproxy slicer toxic).", func() Spec { return &SlicerToxic{} }},
}

// Keys lists every kind's YAML key, in table order.
func Keys() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = k.Key
	}
	return out
}

func kindByKey(key string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Key == key {
			return k, true
		}
	}
	return Kind{}, false
}
