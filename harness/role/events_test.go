package role

import (
	"testing"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
)

// Every kind of a scripted client's event becomes the history's client kind of that name,
// whether it is one of the constants taken for the frequent ones or made.
func TestClientEventKinds(t *testing.T) {
	for _, k := range fakeclient.EventKinds {
		var h history.Event
		if ClientEvent(&h, "p", &fakeclient.Event{Kind: k}); h.Kind != history.ClientPrefix+k {
			t.Errorf("%s became %s", k, h.Kind)
		}
	}
}
