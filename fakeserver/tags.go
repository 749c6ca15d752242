package fakeserver

import (
	"sync"
	"sync/atomic"

	"github.com/streamfault/streamfault/internal/media"
)

// tagCacheLimit bounds how many frames the tag cache holds (an hour of 25 fps, about 20 MB):
// past it tags are made afresh for every send.
const tagCacheLimit = 1 << 17

// tagCache holds the audio and video tag bodies of the frames sent, made once for every
// playback of the stream: 2,000 players of one stream made each frame's tags 2,000 times
// (4 % of a run's CPU). The bodies are shared and never written: the connection copies what
// it queues.
type tagCache struct {
	m sync.Map // tagKey → *frameTags
	n atomic.Int64
}

// tagKey is one frame of one stream.
type tagKey struct {
	spec media.Spec
	i    int
}

// frameTags is a frame's audio and video tag bodies.
type frameTags struct{ audio, video []byte }

// tags returns frame i of spec's tag bodies.
func (c *tagCache) tags(spec media.Spec, i int) *frameTags {
	k := tagKey{spec, i}
	if t, ok := c.m.Load(k); ok {
		return t.(*frameTags)
	}
	t := &frameTags{audio: spec.AudioTag(i), video: spec.VideoTag(i)}
	if c.n.Load() >= tagCacheLimit {
		return t
	}
	if prior, loaded := c.m.LoadOrStore(k, t); loaded {
		return prior.(*frameTags)
	}
	c.n.Add(1)
	return t
}
