package fakeserver

import (
	"bytes"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/media"
)

// The cache gives every frame the tags the spec makes, the same bodies for each playback,
// keyed by the whole spec (a stream of the same name at another rate has frames of its own),
// and past its limit makes tags afresh without holding them.
func TestTagCacheGivesEachFrameItsOwnTags(t *testing.T) {
	var c tagCache
	a := media.Spec{Name: "s", Duration: 10 * time.Second, FPS: 25, KeyframeInterval: time.Second}
	b := a
	b.FPS = 30
	for _, spec := range []media.Spec{a, b} {
		for _, i := range []int{0, 1, 25, 26, 249} {
			got := c.tags(spec, i)
			if !bytes.Equal(got.audio, spec.AudioTag(i)) || !bytes.Equal(got.video, spec.VideoTag(i)) {
				t.Fatalf("%s at %d fps, frame %d: cached tags differ from the spec's", spec.Name, spec.FPS, i)
			}
			if again := c.tags(spec, i); again != got {
				t.Fatalf("frame %d made twice", i)
			}
		}
	}
	if n := c.n.Load(); n != 10 {
		t.Fatalf("%d frames held, want 10", n)
	}
	c.n.Store(tagCacheLimit)
	if x, y := c.tags(a, 100), c.tags(a, 100); x == y || !bytes.Equal(x.video, a.VideoTag(100)) {
		t.Fatal("past the limit a frame's tags were held, or wrong")
	}
}

// BenchmarkFrameTags: a frame's tags from the cache against making them.
func BenchmarkFrameTags(b *testing.B) {
	spec := media.Spec{Name: "clip", Duration: 15 * time.Second, FPS: 25, KeyframeInterval: time.Second}
	b.Run("made", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, _ = spec.AudioTag(i%375), spec.VideoTag(i%375)
		}
	})
	b.Run("cached", func(b *testing.B) {
		var c tagCache
		for i := 0; b.Loop(); i++ {
			_ = c.tags(spec, i%375)
		}
	})
}
