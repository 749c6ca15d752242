package check

import (
	"math"
	"time"
)

// shown is when each frame of one stream was first rendered, by frame number. A stream's
// frames are mostly consecutive, so they are kept in blocks of shownBlock frames, the last
// block used at hand: a map access a block rather than a frame (a map entry a frame was most
// of judging 2,000 players). Frames far apart cost a block each, not the span between: a
// block (512 bytes) is about what the frame's own event costs the history, so frame numbers a
// server scatters cannot make judging hold much more than the history does.
type shown struct {
	blocks map[int]*shownFrames
	key    int          // the block at hand's key
	cur    *shownFrames // the block at hand (nil: none yet)
	n      int          // frames shown
}

const (
	shownShift = 6
	shownBlock = 1 << shownShift
)

// shownFrames are the times of one block's frames, notShown where not shown yet.
type shownFrames [shownBlock]time.Duration

// notShown marks a frame not shown yet.
const notShown = time.Duration(math.MinInt64)

// block returns the block of frame i, made when make is true (else nil when there is none).
func (s *shown) block(i int, make bool) *shownFrames {
	k := i >> shownShift
	if s.cur != nil && s.key == k {
		return s.cur
	}
	b := s.blocks[k]
	if b == nil && make {
		if s.blocks == nil {
			s.blocks = map[int]*shownFrames{}
		}
		b = new(shownFrames)
		for j := range b {
			b[j] = notShown
		}
		s.blocks[k] = b
	}
	if b != nil {
		s.key, s.cur = k, b
	}
	return b
}

// at tells when frame i was first shown, and whether it was.
func (s *shown) at(i int) (time.Duration, bool) {
	b := s.block(i, false)
	if b == nil || b[i&(shownBlock-1)] == notShown {
		return 0, false
	}
	return b[i&(shownBlock-1)], true
}

// show records that frame i was first shown at t; showing it again changes nothing.
func (s *shown) show(i int, t time.Duration) {
	b := s.block(i, true)
	if b[i&(shownBlock-1)] == notShown {
		b[i&(shownBlock-1)] = t
		s.n++
	}
}
