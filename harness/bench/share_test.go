package bench

import (
	"context"
	"math"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Connections through an embedded Toxiproxy show as its part of the heap and goroutines — the
// four 32 KB copy buffers and six goroutines each link holds — and memory of the test's own does
// not.
func TestProxyShareTellsToxiproxysLinksApart(t *testing.T) {
	rate := runtime.MemProfileRate
	runtime.MemProfileRate = 1 // every allocation sampled: the figures are exact
	defer func() { runtime.MemProfileRate = rate }()

	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	accepted := make(chan struct{}, 64)
	go func() {
		for {
			c, err := up.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
			accepted <- struct{}{}
		}
	}()
	defer func() {
		up.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(api, "share", "127.0.0.1:0", up.Addr().String())
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Stop()

	runtime.GC()
	before := proxyShare()
	own := make([][]byte, 64) // 4 MB of the test's own, live across the measure
	for i := range own {
		own[i] = make([]byte, 64<<10)
	}
	const n = 16
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var d net.Dialer
	for i := 0; i < n; i++ {
		c, err := d.DialContext(ctx, "tcp", p.Listen)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		select {
		case <-accepted:
		case <-ctx.Done():
			t.Fatalf("upstream accepted %d of %d connections", i, n)
		}
	}
	var after ProxyShare
	buffers := int64(n * 4 * 32 << 10)
	grew := func() int64 { return int64(after.HeapInuse) - int64(before.HeapInuse) }
	// A link's goroutines start once its upstream is connected, and each makes its copy buffer
	// once it runs; the memory profile shows an allocation only a collection or two later. So
	// poll for both, bounded by ctx: on a loaded machine that takes a while.
	for {
		runtime.GC()
		after = proxyShare()
		if after.Goroutines-before.Goroutines >= 6*n && grew() >= buffers || ctx.Err() != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if g := after.Goroutines - before.Goroutines; g != 6*n {
		t.Errorf("Toxiproxy's goroutines grew by %d for %d connections, want %d (2 links of 3)", g, n, 6*n)
	}
	if grew := grew(); grew < buffers || grew > buffers+int64(len(own)*64<<10)/2 {
		t.Errorf("Toxiproxy's heap grew by %d bytes for %d connections, want their %d bytes of copy buffers and not the test's own %d", grew, n, buffers, len(own)*64<<10)
	}
	runtime.KeepAlive(own)
}

// A sampled byte stands for 1/(1 - e^(-size/rate)) bytes; an exact profile (rate 1) for one.
func TestSampleScale(t *testing.T) {
	for _, c := range []struct {
		bytes, objects int64
		rate           int
		want           float64
	}{
		{32 << 10, 1, 1, 1},
		{512 << 10, 1, 512 << 10, 1 / (1 - math.Exp(-1))},
		{64 << 20, 2, 512 << 10, 1},
		{0, 0, 512 << 10, 1},
	} {
		if got := sampleScale(c.bytes, c.objects, c.rate); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("sampleScale(%d, %d, %d) = %v, want %v", c.bytes, c.objects, c.rate, got, c.want)
		}
	}
}
