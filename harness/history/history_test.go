package history

import (
	"sync"
	"testing"
	"time"
)

func TestRecorderOrders(t *testing.T) {
	r := NewRecorder(nil, "x")
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				r.Record(Event{Source: "c", Kind: KindClientStatus})
			}
		}()
	}
	wg.Wait()
	r.RecordAt(r.Start().Add(-time.Second), Event{Source: "early", Kind: KindRunStart})
	h := r.History()
	if len(h.Events) != 201 || h.Events[0].Source != "early" || h.Events[0].At != -time.Second {
		t.Fatalf("order: %d events, first %+v", len(h.Events), h.Events[0])
	}
	for i := 1; i < len(h.Events); i++ {
		if h.Events[i].At < h.Events[i-1].At {
			t.Fatalf("event %d goes back in time", i)
		}
	}
}
