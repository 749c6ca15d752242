package fakeclient

import (
	"fmt"
	"hash/fnv"

	"github.com/streamfault/streamfault/internal/media"
)

// CodeNoUsableMedia is the status a player reports when media arrives on a connection but
// none of it is a video frame it can show (audio only, an unknown video packet type): a clear
// reason instead of a silent wait.
const CodeNoUsableMedia = "streamfault.Media.Unusable"

// unusableAfter is how many media messages with no usable video frame make a player say so.
const unusableAfter = 100

// maxHashes bounds the real media frames whose hash a player keeps.
const maxHashes = 1 << 20

// frameHashes are the payload hashes of the real media frames a player received, by stream
// and index: a frame sent again across a reconnect is the same frame only if its content is.
type frameHashes struct {
	n  int
	by map[string]map[int]uint32
}

func hashOf(payload []byte) uint32 {
	h := fnv.New32a()
	_, _ = h.Write(payload)
	return h.Sum32()
}

// keep records a received frame's hash (hashOf its payload; up to maxHashes frames).
func (f *frameHashes) keep(id media.Identity, hash uint32) {
	if f.n >= maxHashes {
		return
	}
	if f.by == nil {
		f.by = map[string]map[int]uint32{}
	}
	if f.by[id.Stream] == nil {
		f.by[id.Stream] = map[int]uint32{}
	}
	if _, ok := f.by[id.Stream][id.Index]; !ok {
		f.n++
	}
	f.by[id.Stream][id.Index] = hash
}

// differs says how a frame arriving again, whose payload hashes to now, differs from the one
// received before ("" when it is the same, or was never kept).
func (f *frameHashes) differs(id media.Identity, now uint32) string {
	was, ok := f.by[id.Stream][id.Index]
	if !ok {
		return ""
	}
	if now != was {
		return fmt.Sprintf("content differs from the frame received before (hash %08x, was %08x)", now, was)
	}
	return ""
}

// unusable counts a media message that is not a video frame the player can show, and says
// once, after unusableAfter of them with no usable frame, that nothing usable arrives.
func (p *Player) unusable(st *playState, n int) {
	if st.usable || st.warned {
		return
	}
	st.useless++
	if st.useless >= unusableAfter {
		st.warned = true
		p.emit(Event{Kind: EventStatus, Code: CodeNoUsableMedia, Conn: n,
			Message: fmt.Sprintf("%d media messages and no video frame this player can show (audio only, or an unknown video packet type)", st.useless)})
	}
}
