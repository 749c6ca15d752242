package lab

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTeardownBoundPerCallAndFrozenServer: under a per-call bound a call that waits less than
// the bound succeeds; one that goes unanswered fails at the bound, and every later call fails
// at once (a frozen server costs one bound) until the bound is lifted.
func TestTeardownBoundPerCallAndFrozenServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	defer close(release)
	tr := &ctxTransport{ctx: context.Background()}
	c := &http.Client{Transport: tr}
	get := func(path string) error {
		resp, err := c.Get(srv.URL + path)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	tr.bounded(300 * time.Millisecond)
	if err := get("/fast"); err != nil {
		t.Fatalf("a quick call under the bound: %v", err)
	}
	t0 := time.Now()
	if err := get("/hang"); err == nil {
		t.Fatal("an unanswered call succeeded")
	}
	if took := time.Since(t0); took < 300*time.Millisecond {
		t.Fatalf("the unanswered call failed after %v, before its bound", took)
	}
	if err := get("/fast"); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("a call after an unanswered one: %v", err)
	}
	tr.bounded(0)
	if err := get("/fast"); err != nil {
		t.Fatalf("a call once the bound is lifted: %v", err)
	}
}
