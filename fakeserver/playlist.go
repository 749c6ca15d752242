package fakeserver

import (
	"errors"
	"time"

	"github.com/streamfault/streamfault/internal/media"
)

// item is one entry of a NetStream's playlist: a stream played over the content times
// [from, to). from is snapped to the keyframe at or before the requested start.
type item struct {
	spec     media.Spec
	from, to time.Duration
	// swapped marks an item put in place by swap (its start announces TransitionComplete).
	swapped bool
}

// newItem builds an item from play options: start is where to start in the stream (negative
// means 0), length is how long to play (negative: to the end; 0: a single frame).
func newItem(spec media.Spec, start, length time.Duration) item {
	start = max(start, 0)
	from := spec.FrameTime(spec.KeyframeAtOrBefore(start))
	to := spec.Duration
	switch {
	case length == 0:
		to = min(from+spec.FrameDuration(), to)
	case length > 0:
		to = min(start+length, to)
	}
	return item{spec: spec, from: from, to: max(to, from+spec.FrameDuration())}
}

// first is the item's first frame, last its last one.
func (it item) first() int { return it.spec.IndexAtOrBefore(it.from) }

func (it item) last() int {
	i := it.spec.IndexAtOrBefore(it.to)
	for i > it.first() && it.spec.FrameTime(i) >= it.to {
		i--
	}
	return i
}

// dur is how much stream time the item takes: from its first frame to the end of its last.
func (it item) dur() time.Duration {
	return it.spec.FrameTime(it.last()) + it.spec.FrameDuration() - it.from
}

// playlist is a NetStream's playlist. Stream time is continuous across its items: item k
// starts where item k-1 ends. It begins at the first item's content position, as a server
// keeps file time after a seek (play(name, 5500) is timestamped from 5.5 s, not from 0).
type playlist []item

// base is the stream time at which item k starts.
func (p playlist) base(k int) time.Duration {
	var b time.Duration
	if len(p) > 0 {
		b = p[0].from
	}
	for _, it := range p[:k] {
		b += it.dur()
	}
	return b
}

// streamTime is the stream time of frame i of item k.
func (p playlist) streamTime(k, i int) time.Duration {
	return p.base(k) + p[k].spec.FrameTime(i) - p[k].from
}

// errEmpty is returned when there is nothing to play.
var errEmpty = errors.New("the playlist is empty")

// locate finds the item holding stream time off and the keyframe at or before it in that
// item. An offset past the end lands on the last keyframe of the last item.
func (p playlist) locate(off time.Duration) (k, frame int, err error) {
	if len(p) == 0 {
		return 0, 0, errEmpty
	}
	b := p.base(0)
	off = max(off, b)
	for k, it := range p {
		if off < b+it.dur() || k == len(p)-1 {
			content := min(it.from+off-b, it.spec.FrameTime(it.last()))
			return k, max(it.spec.KeyframeAtOrBefore(content), it.first()), nil
		}
		b += it.dur()
	}
	return 0, 0, errEmpty // unreachable
}

// index is the position of the item named name, or -1.
func (p playlist) index(name string) int {
	for k, it := range p {
		if it.spec.Name == name {
			return k
		}
	}
	return -1
}

// names lists the items' stream names in order.
func (p playlist) names() []string {
	out := make([]string, len(p))
	for k, it := range p {
		out[k] = it.spec.Name
	}
	return out
}

// switchPoint is where a switch from item cur (at frame i, not yet sent) to next takes effect:
// the first keyframe of next at or after the content time of frame i. ok is false when next
// has no such keyframe before the item ends.
func switchPoint(cur item, i int, next item) (frame int, ok bool) {
	t := cur.spec.FrameTime(i)
	j := next.spec.KeyframeAtOrBefore(t)
	if next.spec.FrameTime(j) < t {
		j += next.spec.GOP()
	}
	if j > next.last() {
		return 0, false
	}
	return j, true
}
