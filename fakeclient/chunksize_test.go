package fakeclient

import (
	"context"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// TestChunkSizeIsAnnounced: a publisher with a chunk size of 4096 writes its 2,000-byte frames
// in one chunk each, which the server reads only because the size was announced; a viewer gets
// them.
func TestChunkSizeIsAnnounced(t *testing.T) {
	s := newServer(t, fakeserver.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	vrec := &events{}
	pub, err := NewPublisher(PublisherConfig{Addr: s.Addr(), Stream: "cam", Duration: 2 * time.Second, Conn: rtmpconn.Options{ChunkSize: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	view, err := NewViewer(ViewerConfig{Addr: s.Addr(), Stream: "cam", Duration: 2 * time.Second, OnEvent: vrec.add, Conn: rtmpconn.Options{ChunkSize: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() { errs <- pub.Run(ctx) }()
	go func() { errs <- view.Run(ctx) }()
	waitFor(t, vrec, func(e Event) bool { return e.Kind == EventReceived && e.First >= 10 })
	cancel()
	<-errs
	<-errs
}
