package conformance

import (
	"fmt"
	"os"

	"github.com/streamfault/streamfault/internal/media"
)

// frames is what a downloaded FLV holds of VOD's video, told by the frames' identities.
type frames struct {
	n           int
	first, last int // frame indices
	gaps        int // frames missing between first and last
	repeats     int // frames written more than once
	header      bool
	// offset is the first frame's label minus its time in the stream (ms); steady says every
	// frame has the same offset.
	offset int64
	steady bool
}

func (f frames) String() string {
	s := fmt.Sprintf("frames %d–%d (%d", f.first, f.last, f.n)
	if f.gaps > 0 {
		s += fmt.Sprintf(", %d missing", f.gaps)
	}
	if f.repeats > 0 {
		s += fmt.Sprintf(", %d repeated", f.repeats)
	}
	s += ")"
	switch {
	case !f.steady:
		s += ", labels off the stream's times by varying amounts"
	case f.offset != 0:
		s += fmt.Sprintf(", labelled %+.2f s from stream time", float64(f.offset)/1000)
	default:
		s += ", labelled in stream time"
	}
	if !f.header {
		s += ", no AVC sequence header first"
	}
	return s
}

// readFrames reads an FLV file's video frames of VOD.
func readFrames(file string) (frames, error) {
	fh, err := os.Open(file)
	if err != nil {
		return frames{}, err
	}
	defer fh.Close()
	tags, err := media.ReadFLV(fh)
	if err != nil && len(tags) == 0 {
		return frames{}, err
	}
	f := frames{first: -1, steady: true}
	seen := map[int]bool{}
	for _, t := range tags {
		if t.Type != 9 {
			continue
		}
		id, ok := media.ParseVideo(t.Body)
		if !ok {
			if f.n == 0 && len(t.Body) > 1 && t.Body[0]&0x0f == 7 && t.Body[1] == 0 {
				f.header = true
			}
			continue
		}
		if id.Stream != VOD.Name {
			continue
		}
		off := int64(t.Timestamp) - int64(VOD.TimestampMs(id.Index))
		if f.n == 0 {
			f.first, f.offset = id.Index, off
		} else if off != f.offset {
			f.steady = false
		}
		if seen[id.Index] {
			f.repeats++
		}
		seen[id.Index] = true
		f.last = max(f.last, id.Index)
		f.n++
	}
	if f.n == 0 {
		return f, fmt.Errorf("no frame of %s in the file", VOD.Name)
	}
	lo := f.first
	for i := range seen {
		lo = min(lo, i)
	}
	f.gaps = f.last - lo + 1 - len(seen)
	return f, nil
}
