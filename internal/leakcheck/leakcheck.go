// Package leakcheck is the goroutine-leak check shared by the tests and the scenario suite:
// goleak with a bounded settling time and the few third-party goroutines known to be stranded.
package leakcheck

import (
	"time"

	"go.uber.org/goleak"
)

// ToxiproxyStrandedLink lists the goroutines of a stranded Toxiproxy v2.12.0 link: when a link
// ends while data is queued (limit_data or timeout closing it, a bandwidth-limited link torn
// down, a proxy disabled mid-stream), a toxic's stub can stay blocked forever on a channel send
// into the next stub, which has exited: every toxic whose Pipe sends its output without also
// watching its interrupt (noop, slicer — seen once under a CPU hog, between two slices —,
// latency, bandwidth, limit_data, slow_close, and ToxicStub.WriteOutput), and its reader
// blocked feeding it. They belong to Toxiproxy, at most two per affected connection, and are
// not freed by deleting the proxy. Our own goroutines are still checked.
var ToxiproxyStrandedLink = []string{
	"github.com/Shopify/toxiproxy/v2/toxics.(*NoopToxic).Pipe",
	"github.com/Shopify/toxiproxy/v2/toxics.(*SlicerToxic).Pipe",
	"github.com/Shopify/toxiproxy/v2/toxics.(*LatencyToxic).Pipe",
	"github.com/Shopify/toxiproxy/v2/toxics.(*BandwidthToxic).Pipe",
	"github.com/Shopify/toxiproxy/v2/toxics.(*LimitDataToxic).Pipe",
	"github.com/Shopify/toxiproxy/v2/toxics.(*SlowCloseToxic).Pipe",
	"github.com/Shopify/toxiproxy/v2/toxics.(*ToxicStub).WriteOutput",
	"github.com/Shopify/toxiproxy/v2/stream.(*ChanWriter).Write",
}

// Find waits up to timeout for every goroutine not ignored by opts (and not a known
// third-party stranded goroutine) to end, and returns goleak's report if some remain.
func Find(timeout time.Duration, opts ...goleak.Option) error {
	for _, f := range ToxiproxyStrandedLink {
		opts = append(opts, goleak.IgnoreTopFunction(f))
	}
	deadline := time.Now().Add(timeout)
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
